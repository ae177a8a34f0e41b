"""Building livelihood surveys for the tests: one of each question kind, opened now for a week."""

from datetime import timedelta

from jusha.core import clock
from jusha.livelihood import services
from jusha.livelihood.models import Question, Survey
from jusha.livelihood.services import QuestionSpec, SurveySettings

K = Question.Kind


def settings_for(**overrides) -> SurveySettings:
    now = clock.now()
    values = {"title": "2026年民生实事征集", "year": now.year, "opens_at": now - timedelta(hours=1),
              "closes_at": now + timedelta(days=7), "allow_anonymous": False}
    values.update(overrides)
    return SurveySettings(**values)


def draft(world, **overrides) -> Survey:
    return services.survey_create(actor=world.liuyang, subdistrict=world.subdistrict,
                                  settings=settings_for(**overrides))


def add(world, survey, kind, text, *, options=(), **fields) -> Question:
    return services.question_add(actor=world.liuyang, survey=survey,
                                 spec=QuestionSpec(kind=kind, text=text, options=tuple(options), **fields))


class Built:
    """A survey with one question of each kind; `opt[name]` is an option's id."""

    def __init__(self, world, *, open_it: bool = True, **overrides):
        self.survey = draft(world, **overrides)
        self.single = add(world, self.survey, K.SINGLE, "您最关心哪方面？", options=["养老", "教育", "环境"])
        self.multiple = add(world, self.survey, K.MULTIPLE, "您希望增加哪些设施？",
                            options=["停车位", "健身器材", "充电桩", "长椅"], min_choices=1, max_choices=2)
        self.ranking = add(world, self.survey, K.RANKING, "请排出优先顺序",
                           options=["加装电梯", "老旧小区改造", "口袋公园"])
        self.rating = add(world, self.survey, K.RATING, "您对社区服务的满意度", required=False)
        self.number = add(world, self.survey, K.NUMBER, "您家有几口人？", min_value=1, max_value=20, required=False)
        self.text = add(world, self.survey, K.TEXT, "其他建议", max_length=50, required=False)
        self.opt = {o.text: o.pk for q in (self.single, self.multiple, self.ranking) for o in q.options.all()}
        if open_it:
            services.survey_open(actor=world.liuyang, survey=self.survey)
            self.survey.refresh_from_db()

    def answers(self, **overrides) -> dict:
        """A complete, valid set of answers; override one kind by name (single=…, text=…)."""
        o = self.opt
        values = {"single": [o["养老"]], "multiple": [o["停车位"], o["充电桩"]],
                  "ranking": [o["加装电梯"], o["口袋公园"], o["老旧小区改造"]], "rating": 4, "number": 3,
                  "text": "希望多建停车位"}
        values.update(overrides)
        return {getattr(self, kind).pk: value for kind, value in values.items()}


def submit(built: Built, actor, *, respond_as="resident", **kwargs):
    answers = kwargs.pop("answers", None) or built.answers()
    return services.response_submit(actor=actor, survey=built.survey, answers_by_question=answers,
                                    respond_as=respond_as, **kwargs)
