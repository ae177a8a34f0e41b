"""The demo's livelihood survey for `jusha demo`: this year's questionnaire, open now, with a few hundred
responses from residents, member units and communities, some anonymous ones, and field visits.

The survey and its questions are built through the services (as staff would); the responses and visits
are written in bulk from a fixed seed, with times in the past. The demo logins (the resident, the
liaison's unit, the first community) are left unanswered so that whoever tries the demo can answer.
"""

import random
from datetime import timedelta

from jusha.accounts.models import Role, RoleAssignment, User
from jusha.core import clock
from jusha.places.models import Subdistrict

from . import services
from .models import Answer, FieldVisit, Question, Response, Survey
from .services import QuestionSpec, SurveySettings

SEED = 2026
RESIDENT_RESPONSES = 300
ANONYMOUS_RESPONSES = 40
VISITS = 24
K = Question.Kind

PROJECTS = ["加装电梯", "老旧小区改造", "社区食堂", "口袋公园", "停车位", "充电桩", "托育服务", "文体活动室"]
FIELDS = ["社区建设", "教育文化", "公益服务", "生态环境"]
SUGGESTIONS = [
    "希望小区多建停车位，晚上停车太难", "老年人多，希望开一个社区食堂", "加装电梯的补贴政策请讲清楚",
    "口袋公园里多放几张长椅", "充电桩不够，电动车乱停", "希望有周末的托育服务", "活动室开放时间能不能延长",
    "老旧小区的雨污管道需要改造", "希望多组织文体活动", "社区食堂价格要实惠", "停车位和充电桩一起规划",
    "楼道灯经常坏，希望及时修", "希望增加健身器材", "公园的绿化要加强管理",
]
VISIT_NOTES = [
    ("入户走访独居老人", "老人反映上下楼困难，希望加装电梯", "加装电梯"),
    ("在小区广场摆摊征集意见", "居民集中反映停车难、充电难", "新增停车位和充电桩"),
    ("走访沿街商户", "商户希望改善门前环境卫生", "口袋公园和环境整治"),
    ("与楼道长座谈", "希望社区食堂能覆盖周边几个小区", "社区食堂"),
]


def _subdistrict_staff(subdistrict: Subdistrict) -> User:
    return (User.objects.filter(role_assignments__role=Role.SUBDISTRICT_STAFF,
                                role_assignments__subdistrict=subdistrict).order_by("username").first())


def build_survey(subdistrict: Subdistrict, actor: User) -> Survey:
    now = clock.now()
    survey = services.survey_create(actor=actor, subdistrict=subdistrict, settings=SurveySettings(
        title=f"{now.year}年民生实事项目征集问卷", year=now.year,
        description="为办好今年的十件民生实事，诚邀居民、共建单位和社区提出意见建议。",
        opens_at=now - timedelta(days=20), closes_at=now + timedelta(days=10), allow_anonymous=True))
    basics = services.section_add(actor=actor, survey=survey, title="基本情况")
    wishes = services.section_add(actor=actor, survey=survey, title="民生需求")
    for spec in [
        QuestionSpec(kind=K.SINGLE, text="您的年龄段", section=basics.pk,
                     options=("18岁以下", "18–35岁", "36–59岁", "60岁及以上")),
        QuestionSpec(kind=K.NUMBER, text="您家常住人口（人）", section=basics.pk, required=False, min_value=1,
                     max_value=15),
        QuestionSpec(kind=K.MULTIPLE, text="您最希望今年办好的民生实事（最多选3项）", section=wishes.pk,
                     options=tuple(PROJECTS), max_choices=3),
        QuestionSpec(kind=K.RANKING, text="请对以下领域排出优先顺序", section=wishes.pk, options=tuple(FIELDS)),
        QuestionSpec(kind=K.RATING, text="您对去年民生实事的满意度", section=wishes.pk),
        QuestionSpec(kind=K.TEXT, text="您还有哪些意见和建议？", section=wishes.pk, required=False, max_length=300),
    ]:
        services.question_add(actor=actor, survey=survey, spec=spec)
    return services.survey_open(actor=actor, survey=survey)


def _answers(rng: random.Random, questions: list[Question]) -> list[Answer]:
    answers = []
    for q in questions:
        options = [o.pk for o in q.options.all()]
        if q.kind == K.SINGLE:
            answers.append(Answer(question=q, choices=rng.choices(options, weights=[1, 3, 4, 5])))
        elif q.kind == K.MULTIPLE:
            # The first projects (lifts, old estates, canteens) are asked for most often.
            weights = [8, 7, 6, 4, 5, 3, 2, 2]
            picked = []
            while len(picked) < rng.randint(1, q.max_choices):
                choice = rng.choices(options, weights=weights)[0]
                if choice not in picked:
                    picked.append(choice)
            answers.append(Answer(question=q, choices=picked))
        elif q.kind == K.RANKING:
            order = sorted(options, key=lambda pk: rng.random() * (1 + options.index(pk) * 0.4))
            answers.append(Answer(question=q, choices=order))
        elif q.kind == K.RATING:
            answers.append(Answer(question=q, number=rng.choices([1, 2, 3, 4, 5], weights=[1, 2, 5, 9, 6])[0]))
        elif q.kind == K.NUMBER and rng.random() < 0.8:
            answers.append(Answer(question=q, number=rng.choices(range(1, 7), weights=[2, 5, 6, 4, 2, 1])[0]))
        elif q.kind == K.TEXT and rng.random() < 0.5:
            answers.append(Answer(question=q, text=rng.choice(SUGGESTIONS)))
    return answers


def seed_livelihood(subdistrict: Subdistrict, *, resident_mobile: str = "", seed: int = SEED) -> int:
    """This year's open survey with its responses and field visits; returns how many responses."""
    rng = random.Random(seed)
    now = clock.now()
    actor = _subdistrict_staff(subdistrict)
    survey = build_survey(subdistrict, actor)
    questions = list(survey.questions.prefetch_related("options"))
    communities = list(subdistrict.communities.order_by("code"))

    responses: list[Response] = []
    residents = list(User.objects.filter(role_assignments__role=Role.RESIDENT,
                                         role_assignments__community__subdistrict=subdistrict)
                     .exclude(mobile=resident_mobile).order_by("pk").values_list("pk", flat=True))
    for user_id in rng.sample(residents, min(RESIDENT_RESPONSES, len(residents))):
        responses.append(Response(respondent_as=Response.As.RESIDENT, submitted_by_id=user_id))
    for i in range(ANONYMOUS_RESPONSES):
        responses.append(Response(respondent_as=Response.As.ANONYMOUS, device=f"demo{seed}{i:028d}"))
    liaisons = (RoleAssignment.objects.filter(role=Role.UNIT_LIAISON, member_unit__is_active=True,
                                              member_unit__alliance__subdistrict=subdistrict)
                .exclude(user__username="liaison").order_by("user__username"))
    for ra in liaisons:
        responses.append(Response(respondent_as=Response.As.UNIT, submitted_by_id=ra.user_id,
                                  member_unit_id=ra.member_unit_id))
    staff = {}
    for ra in RoleAssignment.objects.filter(role=Role.COMMUNITY_STAFF, community__in=communities[1:]).order_by(
            "user__username"):
        staff.setdefault(ra.community_id, ra.user_id)
    for community_id, user_id in staff.items():
        responses.append(Response(respondent_as=Response.As.COMMUNITY, submitted_by_id=user_id,
                                  community_id=community_id))
    opened = survey.opens_at
    span = (now - opened).total_seconds()
    for response in responses:
        response.survey = survey
        response.submitted_at = opened + timedelta(seconds=rng.uniform(0, span))
    Response.objects.bulk_create(responses)
    answers = []
    for response in responses:
        for answer in _answers(rng, questions):
            answer.response = response
            answers.append(answer)
    Answer.objects.bulk_create(answers, batch_size=1000)

    visits = []
    for i in range(VISITS):
        community = communities[i % len(communities)]
        what, notes, suggestion = VISIT_NOTES[i % len(VISIT_NOTES)]
        recorder = staff.get(community.pk) or actor.pk
        visits.append(FieldVisit(
            survey=survey, community=community, visitors=f"{community.name}社工、网格员", place=what,
            visited_at=opened + timedelta(days=rng.randint(0, 19), hours=rng.randint(9, 16)), notes=notes,
            suggestions=suggestion, recorded_by_id=recorder, created_at=now))
    FieldVisit.objects.bulk_create(visits)
    return len(responses)
