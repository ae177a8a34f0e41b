"""The spreadsheet kinds: their template columns, how each row is checked, saved and exported.

Template headers are Chinese and fixed, whatever the interface language: they are a file format the
subdistrict's staff fill in and send around, and a file exported in one language must import in the
other. Each column also accepts a few aliases, and anything else is mapped by the person once.

A sheet's `check()` reads every row and reports every problem without writing anything; `write()`
saves a checked plan and is only ever called inside the import's transaction, so a file is imported
completely or not at all. Rows are matched on a natural key (a unit's name in the alliance, a
person's mobile), so importing the same file again updates instead of duplicating.
"""

import datetime
import hashlib
import hmac
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from secrets import token_urlsafe

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jusha.accounts.models import MOBILE_RE, Role, RoleAssignment, User
from jusha.core import clock
from jusha.core.errors import DomainError
from jusha.orgs.models import Alliance, GridWorker, MemberUnit, SubAlliance, Team
from jusha.places.models import Community, Grid, Subdistrict
from jusha.volunteers.models import Volunteer
from jusha.volunteers.skills import Skill

from .files import cell_date, cell_datetime, cell_text, header_text
from .models import IdNumber, Kind, masked_id

BATCH = 2000
_LIST_SPLIT = re.compile(r"[,，;；、/\s]+")
YES = {"是", "在册", "有效", "在岗", "y", "yes", "true", "1"}
NO = {"否", "退出", "无效", "离岗", "n", "no", "false", "0"}


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # the template's Chinese header (a file format, not interface text)
    label: object  # what the mapping form shows, translated
    required: bool = False
    example: str = ""
    aliases: tuple[str, ...] = ()


@dataclass
class RowError:
    row: int
    field: str
    code: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "field": self.field, "code": self.code, "message": str(self.message)}


@dataclass
class Plan:
    """A checked file: what each good row means, and every problem found."""

    items: list[dict] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def error(self, row: int, column: str, code: str, message) -> None:
        self.errors.append(RowError(row, column, code, message))


Progress = Callable[[int, int], None]


def _nothing(done: int, total: int) -> None:
    return None


# --- cell checks ---------------------------------------------------------------------------------

def normal_mobile(text: str) -> str | None:
    mobile = re.sub(r"[\s\-()（）]", "", text)
    if mobile.startswith("+86"):
        mobile = mobile[3:]
    elif mobile.startswith("86") and len(mobile) == 13:
        mobile = mobile[2:]
    return mobile if re.fullmatch(MOBILE_RE, mobile) else None


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def valid_id_number(text: str) -> bool:
    """A resident identity card number (GB 11643): 17 digits, a valid birth date, the ISO 7064 check."""
    import datetime

    if not re.fullmatch(r"\d{17}[\dX]", text):
        return False
    try:
        datetime.date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        return False
    total = sum(int(d) * w for d, w in zip(text[:17], _ID_WEIGHTS, strict=True))
    return "10X98765432"[total % 11] == text[17]


def id_digest(number: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"id:{number}".encode(), hashlib.sha256).hexdigest()


def yes_no(text: str, default: bool = True) -> bool | None:
    if not text:
        return default
    low = text.lower()
    return True if low in YES else False if low in NO else None


def codes_in(text: str) -> list[str]:
    return [c for c in _LIST_SPLIT.split(text) if c]


# --- the sheets ----------------------------------------------------------------------------------

class Sheet(ABC):
    """One list kind: its template columns, how rows are checked and written, and how it is exported."""

    kind: str
    columns: tuple[Column, ...]

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def auto_mapping(self, headers: list[str], remembered: dict | None = None) -> dict[str, str]:
        """field → header: what was remembered for this subdistrict, else the template's headers/aliases."""
        present = {header_text(h): h for h in headers if h}
        mapping = {}
        for column in self.columns:
            candidates = [(remembered or {}).get(column.key, ""), column.header, *column.aliases]
            for candidate in candidates:
                if candidate and header_text(candidate) in present:
                    mapping[column.key] = present[header_text(candidate)]
                    break
        return mapping

    @abstractmethod
    def check(self, rows: list[tuple[int, dict]], *, subdistrict: Subdistrict,
              progress: Progress = _nothing) -> Plan:
        """Read-only: what the rows would create and update, and every row's problems."""

    @abstractmethod
    def write(self, plan: Plan, *, subdistrict: Subdistrict, actor, progress: Progress = _nothing) -> None:
        """Save a checked plan in bulk, inside the import's transaction, for the person who imports it."""

    @abstractmethod
    def export_rows(self, subdistrict: Subdistrict) -> Iterator[dict]:
        """The subdistrict's rows in template columns, so an export imports back unchanged."""

    def example(self) -> dict:
        return {c.key: c.example for c in self.columns}


def _communities(subdistrict: Subdistrict) -> dict[str, int]:
    return dict(Community.objects.filter(subdistrict=subdistrict).values_list("code", "id"))


def _text(plan: Plan, n: int, row: dict, key: str, *, limit: int, required: bool = False) -> str:
    value = cell_text(row.get(key))
    if required and not value:
        plan.error(n, key, "required", _("This column must be filled in."))
    elif len(value) > limit:
        plan.error(n, key, "too_long", _("At most %(limit)s characters.") % {"limit": limit})
    return value[:limit]


def _mobile(plan: Plan, n: int, row: dict, key: str, *, required: bool) -> str:
    text = cell_text(row.get(key))
    if not text:
        if required:
            plan.error(n, key, "required", _("This column must be filled in."))
        return ""
    mobile = normal_mobile(text)
    if mobile is None:
        plan.error(n, key, "invalid_mobile", _("“%(value)s” is not an 11-digit mainland China mobile number.")
                   % {"value": text[:20]})
        return ""
    return mobile


CATEGORY_WORDS = {
    "企业": "enterprise", "公司": "enterprise", "高校": "university", "大学": "university", "学院": "university",
    "学校": "school", "中小学": "school", "医院": "hospital", "医疗机构": "hospital", "社会组织": "social_organisation",
    "社团": "social_organisation", "政府部门": "government_department", "机关": "government_department",
    "机关事业单位": "government_department", "其他": "other",
}
CATEGORY_HEADERS = {v: k for k, v in reversed(CATEGORY_WORDS.items())}


class UnitsSheet(Sheet):
    kind = Kind.UNITS
    columns = (
        Column("name", "单位名称", gettext_lazy("unit name"), True, "下沙街道社区卫生服务中心", ("名称", "单位")),
        Column("category", "单位类别", gettext_lazy("category"), True, "医院", ("类别", "类型", "单位类型")),
        Column("community", "所属社区编码", gettext_lazy("community code (sub-alliance)"), False, "330114001001",
               ("社区编码", "所属社区")),
        Column("contact_name", "联系人", gettext_lazy("contact person"), False, "张三", ("负责人",)),
        Column("contact_mobile", "联系电话", gettext_lazy("contact mobile"), False, "13800000000",
               ("手机", "手机号", "联系方式")),
        Column("address", "地址", gettext_lazy("address"), False, "下沙路1号", ("单位地址",)),
        Column("service_area", "服务社区编码", gettext_lazy("communities served (codes)"), False,
               "330114001001、330114001002", ("服务社区", "服务范围")),
        Column("joined_on", "加入日期", gettext_lazy("joined on"), False, "2025-01-15", ("入盟日期", "加入时间")),
        Column("is_active", "是否在册", gettext_lazy("active (是/否)"), False, "是", ("状态", "在册")),
    )

    def check(self, rows, *, subdistrict, progress=_nothing):
        plan = Plan()
        communities = _communities(subdistrict)
        alliance = Alliance.objects.filter(subdistrict=subdistrict).first()
        existing = {}
        if alliance:
            for unit in MemberUnit.objects.filter(alliance=alliance).prefetch_related("service_area"):
                existing[unit.name.casefold()] = unit
        seen: dict[str, int] = {}
        for index, (n, row) in enumerate(rows, start=1):
            name = _text(plan, n, row, "name", limit=150, required=True)
            category_text = cell_text(row.get("category"))
            category = CATEGORY_WORDS.get(category_text, category_text)
            if category not in MemberUnit.Category.values:
                plan.error(n, "category", "invalid_choice", _("Unknown category “%(value)s”; use one of %(choices)s.")
                           % {"value": category_text[:20], "choices": "、".join(CATEGORY_HEADERS.values())})
            community_code = cell_text(row.get("community"))
            if community_code and community_code not in communities:
                plan.error(n, "community", "unknown_code", _("No community with code %(code)s in this subdistrict.")
                           % {"code": community_code[:20]})
            service = codes_in(cell_text(row.get("service_area")))
            for code in service:
                if code not in communities:
                    plan.error(n, "service_area", "unknown_code",
                               _("No community with code %(code)s in this subdistrict.") % {"code": code[:20]})
            try:
                joined_on = cell_date(row.get("joined_on"))
            except (ValueError, OverflowError):
                plan.error(n, "joined_on", "invalid_date", _("Not a date; write it like 2025-01-15."))
                joined_on = None
            active = yes_no(cell_text(row.get("is_active")))
            if active is None:
                plan.error(n, "is_active", "invalid_choice", _("Write 是 or 否."))
            item = {
                "row": n, "name": name, "category": category, "community": communities.get(community_code),
                "contact_name": _text(plan, n, row, "contact_name", limit=50),
                "contact_mobile": _mobile(plan, n, row, "contact_mobile", required=False),
                "address": _text(plan, n, row, "address", limit=200),
                "service_area": sorted({communities[c] for c in service if c in communities}),
                "joined_on": joined_on, "is_active": bool(active),
            }
            if name:
                key = name.casefold()
                if key in seen:
                    plan.error(n, "name", "duplicate_in_file", _("The same unit is already in row %(row)s.")
                               % {"row": seen[key]})
                seen.setdefault(key, n)
                unit = existing.get(key)
                item["id"] = unit.pk if unit else None
                if unit is None:
                    plan.created += 1
                elif self._differs(unit, item):
                    plan.updated += 1
                else:
                    plan.unchanged += 1
            plan.items.append(item)
            if index % 500 == 0:
                progress(index, len(rows))
        return plan

    FIELDS = ("category", "contact_name", "contact_mobile", "address", "joined_on", "is_active")

    def _differs(self, unit: MemberUnit, item: dict) -> bool:
        sub = unit.sub_alliance.community_id if unit.sub_alliance_id else None
        return (any(getattr(unit, f) != item[f] for f in self.FIELDS) or sub != item["community"]
                or sorted(c.pk for c in unit.service_area.all()) != item["service_area"])

    def write(self, plan, *, subdistrict, actor, progress=_nothing):
        alliance, _created = Alliance.objects.get_or_create(
            subdistrict=subdistrict, defaults={"name": _("%(name)s alliance") % {"name": subdistrict.name}})
        subs = {s.community_id: s for s in SubAlliance.objects.filter(alliance=alliance)}
        names = dict(Community.objects.filter(subdistrict=subdistrict).values_list("id", "name"))
        for item in plan.items:
            community = item["community"]
            if community and community not in subs:
                subs[community] = SubAlliance.objects.create(
                    alliance=alliance, community_id=community,
                    name=_("%(name)s sub-alliance") % {"name": names[community]})
            values = {f: item[f] for f in self.FIELDS}
            values["sub_alliance"] = subs.get(community)
            if item["id"]:
                unit = MemberUnit.objects.get(pk=item["id"])
                for key, value in values.items():
                    setattr(unit, key, value)
                unit.save()
            else:
                unit = MemberUnit.objects.create(alliance=alliance, name=item["name"], **values)
            unit.service_area.set(item["service_area"])

    def export_rows(self, subdistrict):
        codes = dict(Community.objects.filter(subdistrict=subdistrict).values_list("id", "code"))
        units = (MemberUnit.objects.filter(alliance__subdistrict=subdistrict)
                 .select_related("sub_alliance").prefetch_related("service_area").order_by("name"))
        for unit in units:
            yield {
                "name": unit.name, "category": CATEGORY_HEADERS.get(unit.category, unit.category),
                "community": codes.get(unit.sub_alliance.community_id, "") if unit.sub_alliance_id else "",
                "contact_name": unit.contact_name, "contact_mobile": unit.contact_mobile, "address": unit.address,
                "service_area": "、".join(sorted(c.code for c in unit.service_area.all())),
                "joined_on": unit.joined_on, "is_active": "是" if unit.is_active else "否",
            }


def _users_by_mobile(mobiles: list[str]) -> dict[str, User]:
    found = {}
    for start in range(0, len(mobiles), BATCH):
        for user in User.objects.filter(mobile__in=mobiles[start:start + BATCH]).only("id", "mobile", "name"):
            found[user.mobile] = user
    return found


class ResidentsSheet(Sheet):
    kind = Kind.RESIDENTS
    columns = (
        Column("name", "姓名", gettext_lazy("name"), True, "王芳", ("居民姓名",)),
        Column("mobile", "手机号", gettext_lazy("mobile"), True, "13800000000", ("手机", "手机号码", "联系电话")),
        Column("community", "社区编码", gettext_lazy("community code"), True, "330114001001",
               ("所属社区编码", "社区代码")),
        Column("id_number", "身份证号", gettext_lazy("ID number (optional)"), False, "",
               ("身份证号码", "证件号码", "身份证")),
    )

    def check(self, rows, *, subdistrict, progress=_nothing):
        plan = Plan()
        communities = _communities(subdistrict)
        parsed = []
        for n, row in rows:
            name = _text(plan, n, row, "name", limit=50, required=True)
            mobile = _mobile(plan, n, row, "mobile", required=True)
            code = cell_text(row.get("community"))
            if not code:
                plan.error(n, "community", "required", _("This column must be filled in."))
            elif code not in communities:
                plan.error(n, "community", "unknown_code", _("No community with code %(code)s in this subdistrict.")
                           % {"code": code[:20]})
            id_text = cell_text(row.get("id_number")).upper()
            if id_text and not id_text.startswith("*") and not valid_id_number(id_text):
                plan.error(n, "id_number", "invalid_id_number",
                           _("This ID number is not valid (check its length, birth date and last character)."))
                id_text = ""
            parsed.append((n, name, mobile, communities.get(code), id_text))
        progress(len(rows) // 3, len(rows))

        users = _users_by_mobile(sorted({p[2] for p in parsed if p[2]}))
        user_ids = [u.pk for u in users.values()]
        residence: dict[int, tuple[int, int, int]] = {}  # user → (assignment, community, subdistrict)
        for start in range(0, len(user_ids), BATCH):
            for a_id, user_id, community_id, sub_id in RoleAssignment.objects.filter(
                    user_id__in=user_ids[start:start + BATCH], role=Role.RESIDENT).values_list(
                    "id", "user_id", "community_id", "community__subdistrict_id"):
                residence[user_id] = (a_id, community_id, sub_id)
        ids_of: dict[int, tuple[str, str]] = {}
        for start in range(0, len(user_ids), BATCH):
            for user_id, digest, tail in IdNumber.objects.filter(
                    user_id__in=user_ids[start:start + BATCH]).values_list("user_id", "digest", "tail"):
                ids_of[user_id] = (digest, tail)
        digests = {id_digest(p[4]): p for p in parsed if p[4] and not p[4].startswith("*")}
        owners = {}
        keys = list(digests)
        for start in range(0, len(keys), BATCH):
            owners.update(IdNumber.objects.filter(digest__in=keys[start:start + BATCH]).values_list("digest",
                                                                                                      "user_id"))
        progress(2 * len(rows) // 3, len(rows))

        seen_mobile: dict[str, int] = {}
        seen_id: dict[str, int] = {}
        for n, name, mobile, community, id_text in parsed:
            user = users.get(mobile)
            if mobile:
                if mobile in seen_mobile:
                    plan.error(n, "mobile", "duplicate_in_file", _("The same mobile is already in row %(row)s.")
                               % {"row": seen_mobile[mobile]})
                seen_mobile.setdefault(mobile, n)
            lives = residence.get(user.pk) if user else None
            if lives and lives[2] != subdistrict.pk:
                plan.error(n, "mobile", "resident_elsewhere",
                           _("This person is registered as a resident of another subdistrict."))
            digest = None
            if id_text.startswith("*"):
                # A masked number from an export: unchanged if it is this person's, else not usable.
                stored = ids_of.get(user.pk) if user else None
                if not stored or masked_id(stored[1]) != id_text:
                    plan.error(n, "id_number", "invalid_id_number",
                               _("This ID number is not valid (check its length, birth date and last character)."))
                else:
                    digest = stored[0]
            elif id_text:
                digest = id_digest(id_text)
                if digest in seen_id:
                    plan.error(n, "id_number", "duplicate_in_file", _("The same ID number is already in row %(row)s.")
                               % {"row": seen_id[digest]})
                seen_id.setdefault(digest, n)
                owner = owners.get(digest)
                if owner is not None and (user is None or owner != user.pk):
                    plan.error(n, "id_number", "duplicate_in_database",
                               _("This ID number already belongs to another person."))
            item = {"row": n, "name": name, "mobile": mobile, "community": community,
                    "user": user.pk if user else None, "assignment": lives[0] if lives else None,
                    "digest": digest, "tail": id_text[-4:] if digest else None}
            stored = ids_of.get(user.pk) if user else None
            if user is None:
                plan.created += 1
            elif (user.name != name or not lives or lives[1] != community
                  or (digest is not None and (stored is None or stored[0] != digest))):
                plan.updated += 1
                item["changed"] = True
            else:
                plan.unchanged += 1
            item["id_changed"] = digest is not None and (stored is None or stored[0] != digest)
            plan.items.append(item)
        progress(len(rows), len(rows))
        return plan

    def write(self, plan, *, subdistrict, actor, progress=_nothing):
        items = plan.items
        # Unusable passwords (they log in by code), made with one urandom call each: make_password(None)
        # draws 40 random characters one by one, a third of the time of a 100,000-row import.
        new_users = [User(mobile=i["mobile"], name=i["name"],
                          password=UNUSABLE_PASSWORD_PREFIX + token_urlsafe(30)) for i in items if i["user"] is None]
        created = User.objects.bulk_create(new_users, batch_size=BATCH)
        by_mobile = {u.mobile: u.pk for u in created}
        for item in items:
            if item["user"] is None:
                item["user"] = by_mobile[item["mobile"]]
                item["new_user"] = True
        renamed = [User(pk=i["user"], name=i["name"]) for i in items if i.get("changed")]
        User.objects.bulk_update(renamed, ["name"], batch_size=BATCH)
        RoleAssignment.objects.bulk_create(
            [RoleAssignment(user_id=i["user"], role=Role.RESIDENT, community_id=i["community"]) for i in items
             if i["assignment"] is None], batch_size=BATCH)
        RoleAssignment.objects.bulk_update(
            [RoleAssignment(pk=i["assignment"], community_id=i["community"]) for i in items
             if i["assignment"] is not None and i.get("changed")], ["community"], batch_size=BATCH)
        changed_ids = [i for i in items if i["id_changed"]]
        replaced = [i["user"] for i in changed_ids if not i.get("new_user")]
        for start in range(0, len(replaced), BATCH):
            IdNumber.objects.filter(user_id__in=replaced[start:start + BATCH]).delete()
        IdNumber.objects.bulk_create([IdNumber(user_id=i["user"], digest=i["digest"], tail=i["tail"])
                                      for i in changed_ids], batch_size=BATCH)

    def export_rows(self, subdistrict):
        rows = (RoleAssignment.objects.filter(role=Role.RESIDENT, community__subdistrict=subdistrict)
                .order_by("community__code", "user_id")
                .values_list("user__name", "user__mobile", "community__code", "user__id_number__tail"))
        for name, mobile, code, tail in rows.iterator(chunk_size=BATCH):
            yield {"name": name, "mobile": mobile or "", "community": code,
                   "id_number": masked_id(tail) if tail else ""}


STAFF_ROLES = {
    Role.COMMUNITY_STAFF: "社区工作人员", Role.SUBDISTRICT_STAFF: "街道工作人员",
    Role.COMMAND_OPERATOR: "指挥中心值班员",
    Role.SUPERVISOR: "督查员", Role.UNIT_LIAISON: "单位联络员", Role.TEAM_MEMBER: "队伍成员",
}
ROLE_WORDS = {**{v: k for k, v in STAFF_ROLES.items()}, **{str(k): k for k in STAFF_ROLES}}


class StaffSheet(Sheet):
    kind = Kind.STAFF
    columns = (
        Column("name", "姓名", gettext_lazy("name"), True, "李娜"),
        Column("mobile", "手机号", gettext_lazy("mobile"), True, "13900000000", ("手机", "联系电话")),
        Column("role", "角色", gettext_lazy("role"), True, "社区工作人员", ("岗位",)),
        Column("scope", "所属", gettext_lazy("where: community/subdistrict code, unit or team name"), True,
               "330114001001", ("所属单位", "范围", "所属社区编码")),
    )

    def _scopes(self, subdistrict):
        return {
            "community": _communities(subdistrict),
            "subdistrict": {subdistrict.code: subdistrict.pk},
            "member_unit": dict(MemberUnit.objects.filter(alliance__subdistrict=subdistrict)
                                .values_list("name", "id")),
            "team": dict(Team.objects.filter(subdistrict=subdistrict).values_list("name", "id")),
        }

    def check(self, rows, *, subdistrict, progress=_nothing):
        from jusha.accounts.models import ROLE_SCOPE

        plan = Plan()
        scopes = self._scopes(subdistrict)
        users = _users_by_mobile(sorted({m for _n, r in rows if (m := normal_mobile(cell_text(r.get("mobile"))))}))
        held = set(RoleAssignment.objects.filter(user__in=users.values()).values_list(
            "user_id", "role", "subdistrict_id", "community_id", "member_unit_id", "team_id"))
        seen: dict[tuple, int] = {}
        names: dict[str, str] = {}
        for n, row in rows:
            name = _text(plan, n, row, "name", limit=50, required=True)
            mobile = _mobile(plan, n, row, "mobile", required=True)
            role_text = cell_text(row.get("role"))
            role = ROLE_WORDS.get(role_text)
            if role is None:
                plan.error(n, "role", "invalid_choice", _("Unknown role “%(value)s”; use one of %(choices)s.")
                           % {"value": role_text[:20], "choices": "、".join(STAFF_ROLES.values())})
            scope_text = cell_text(row.get("scope"))
            field_name = ROLE_SCOPE[role] if role else None
            scope_id = scopes[field_name].get(scope_text) if field_name else None
            if role and scope_id is None:
                plan.error(n, "scope", "unknown_code", _("“%(value)s” is not a place or organisation of this "
                                                         "subdistrict that this role can belong to.")
                           % {"value": scope_text[:40]})
            if mobile and names.setdefault(mobile, name) != name:
                plan.error(n, "name", "conflicting_name", _("The same mobile has another name in an earlier row."))
            key = (mobile, role, scope_id)
            if mobile and role and scope_id:
                if key in seen:
                    plan.error(n, "role", "duplicate_in_file", _("The same role is already in row %(row)s.")
                               % {"row": seen[key]})
                seen.setdefault(key, n)
            user = users.get(mobile)
            scope_tuple = tuple(scope_id if f == field_name else None for f in
                                ("subdistrict", "community", "member_unit", "team"))
            has = bool(user) and (user.pk, str(role), *scope_tuple) in held
            if user is None:
                plan.created += 1
            elif has and user.name == name:
                plan.unchanged += 1
            else:
                plan.updated += 1
            plan.items.append({"row": n, "name": name, "mobile": mobile, "role": role, "field": field_name,
                               "scope": scope_id, "user": user.pk if user else None})
        return plan

    def write(self, plan, *, subdistrict, actor, progress=_nothing):
        people: dict[str, User] = {}
        for item in plan.items:
            user = people.get(item["mobile"])
            if user is None:
                user, created = User.objects.get_or_create(mobile=item["mobile"], defaults={"name": item["name"]})
                if not created and user.name != item["name"]:
                    User.objects.filter(pk=user.pk).update(name=item["name"])
                people[item["mobile"]] = user
            RoleAssignment.objects.get_or_create(user=user, role=item["role"], **{f"{item['field']}_id": item["scope"]})

    def export_rows(self, subdistrict):
        scope = (Q(subdistrict=subdistrict) | Q(community__subdistrict=subdistrict)
                 | Q(member_unit__alliance__subdistrict=subdistrict) | Q(team__subdistrict=subdistrict))
        for a in (RoleAssignment.objects.filter(scope, role__in=list(STAFF_ROLES), user__mobile__isnull=False)
                  .select_related("user", "community", "subdistrict", "member_unit", "team")
                  .order_by("user__mobile", "role", "id")):
            where = (a.community.code if a.community_id else a.subdistrict.code if a.subdistrict_id
                     else a.member_unit.name if a.member_unit_id else a.team.name)
            yield {"name": a.user.name, "mobile": a.user.mobile, "role": STAFF_ROLES[a.role], "scope": where}


class GridWorkersSheet(Sheet):
    kind = Kind.GRID_WORKERS
    columns = (
        Column("name", "姓名", gettext_lazy("name"), True, "周强"),
        Column("mobile", "手机号", gettext_lazy("mobile"), True, "13900000000", ("手机", "联系电话")),
        Column("grids", "网格编码", gettext_lazy("grid codes"), True, "330114001001001、330114001001002",
               ("负责网格", "网格")),
        Column("on_duty", "是否在岗", gettext_lazy("on duty (是/否)"), False, "是", ("在岗",)),
    )

    def check(self, rows, *, subdistrict, progress=_nothing):
        plan = Plan()
        grids = dict(Grid.objects.filter(community__subdistrict=subdistrict).values_list("code", "id"))
        users = _users_by_mobile(sorted({m for _n, r in rows if (m := normal_mobile(cell_text(r.get("mobile"))))}))
        workers = {w.user_id: w for w in GridWorker.objects.filter(user__in=users.values()).prefetch_related("grids")}
        seen: dict[str, int] = {}
        for n, row in rows:
            name = _text(plan, n, row, "name", limit=50, required=True)
            mobile = _mobile(plan, n, row, "mobile", required=True)
            codes = codes_in(cell_text(row.get("grids")))
            if not codes:
                plan.error(n, "grids", "required", _("This column must be filled in."))
            for code in codes:
                if code not in grids:
                    plan.error(n, "grids", "unknown_code", _("No grid with code %(code)s in this subdistrict.")
                               % {"code": code[:20]})
            on_duty = yes_no(cell_text(row.get("on_duty")))
            if on_duty is None:
                plan.error(n, "on_duty", "invalid_choice", _("Write 是 or 否."))
            if mobile:
                if mobile in seen:
                    plan.error(n, "mobile", "duplicate_in_file", _("The same mobile is already in row %(row)s.")
                               % {"row": seen[mobile]})
                seen.setdefault(mobile, n)
            user = users.get(mobile)
            worker = workers.get(user.pk) if user else None
            wanted = sorted({grids[c] for c in codes if c in grids})
            if user is None or worker is None:
                plan.created += 1
            elif (user.name != name or worker.on_duty != bool(on_duty)
                  or sorted(g.pk for g in worker.grids.all() if g.pk in grids.values()) != wanted):
                plan.updated += 1
            else:
                plan.unchanged += 1
            plan.items.append({"row": n, "name": name, "mobile": mobile, "grids": wanted, "on_duty": bool(on_duty)})
        return plan

    def write(self, plan, *, subdistrict, actor, progress=_nothing):
        ours = set(Grid.objects.filter(community__subdistrict=subdistrict).values_list("id", flat=True))
        for item in plan.items:
            user, created = User.objects.get_or_create(mobile=item["mobile"], defaults={"name": item["name"]})
            if not created and user.name != item["name"]:
                User.objects.filter(pk=user.pk).update(name=item["name"])
            worker, _created = GridWorker.objects.get_or_create(user=user, defaults={"on_duty": item["on_duty"]})
            if worker.on_duty != item["on_duty"]:
                GridWorker.objects.filter(pk=worker.pk).update(on_duty=item["on_duty"])
            # Grids of other subdistricts stay: this file speaks only for this one.
            others = [g for g in worker.grids.values_list("id", flat=True) if g not in ours]
            worker.grids.set(others + item["grids"])

    def export_rows(self, subdistrict):
        workers = (GridWorker.objects.filter(grids__community__subdistrict=subdistrict).distinct()
                   .select_related("user").prefetch_related("grids").order_by("user__mobile"))
        for worker in workers:
            codes = sorted(g.code for g in worker.grids.all() if g.community_id and g.code.startswith(
                subdistrict.code))
            yield {"name": worker.user.name, "mobile": worker.user.mobile or "", "grids": "、".join(codes),
                   "on_duty": "是" if worker.on_duty else "否"}


CRS_WORDS = {"wgs84": "wgs84", "wgs-84": "wgs84", "gps": "wgs84", "cgcs2000": "wgs84", "天地图": "wgs84",
             "gcj02": "gcj02", "gcj-02": "gcj02", "高德": "gcj02", "腾讯": "gcj02", "火星坐标": "gcj02",
             "bd09": "bd09", "bd-09": "bd09", "百度": "bd09"}


class HotlineSheet(Sheet):
    """Tickets of the 12345 hotline (or another system) handed to the subdistrict: each new ticket becomes
    a report with source `hotline` through `cases.services.hotline_report` (routing, duplicates attach).
    The ticket number is the natural key: a ticket already imported is `unchanged` and never touched."""

    kind = Kind.HOTLINE
    columns = (
        Column("ticket", "工单编号", gettext_lazy("hotline ticket number"), True, "12345202611200001",
               ("工单号", "工单编码", "热线工单号", "编号")),
        Column("received_at", "来电时间", gettext_lazy("received at"), True, "2026-11-20 14:30",
               ("受理时间", "登记时间", "接收时间", "来件时间")),
        Column("category", "问题分类", gettext_lazy("category (code or name)"), True, "SJ0104",
               ("分类", "分类编码", "事件分类", "问题类别")),
        Column("description", "问题描述", gettext_lazy("description"), True, "沿街晾晒衣物，占用人行道",
               ("诉求内容", "内容", "描述", "事件描述")),
        Column("address", "地址", gettext_lazy("address"), False, "下沙路1号", ("事发地址", "发生地址", "地点")),
        Column("lng", "经度", gettext_lazy("longitude"), False, "120.3051", ("lng", "lon", "x")),
        Column("lat", "纬度", gettext_lazy("latitude"), False, "30.3052", ("lat", "y")),
        Column("crs", "坐标系", gettext_lazy("coordinate system (WGS84, GCJ02 or BD09)"), False, "GCJ02",
               ("坐标系统",)),
        Column("reporter_name", "来电人", gettext_lazy("caller's name"), False, "王芳",
               ("来电人姓名", "反映人", "诉求人")),
        Column("reporter_mobile", "联系电话", gettext_lazy("caller's mobile"), False, "13800000001",
               ("来电号码", "手机号", "联系方式")),
        Column("community", "社区", gettext_lazy("community (code or name), when there is no point"), False,
               "330114001001", ("社区编码", "所属社区")),
    )

    def _categories(self) -> dict[str, object]:
        from jusha.cases.models import CaseCategory

        leaves = CaseCategory.objects.filter(parent__isnull=False, is_active=True)
        by_name: dict[str, list] = {}
        for leaf in leaves:
            for name in {leaf.name, leaf.name_en.casefold()}:
                by_name.setdefault(name, []).append(leaf)
        found = {name: group[0] for name, group in by_name.items() if len(group) == 1}
        found.update({leaf.code.upper(): leaf for leaf in leaves})
        return found

    def check(self, rows, *, subdistrict, progress=_nothing):
        from jusha.cases.models import ADDRESS_MAX_LENGTH, EXTERNAL_ID_MAX_LENGTH, TEXT_MAX_LENGTH, Report, Source
        from jusha.cases.services import Place
        from jusha.core import clock
        from jusha.places.geometry import to_shape
        from jusha.places.selectors import locate_in_crs

        plan = Plan()
        categories = self._categories()
        communities = {c.pk: c for c in Community.objects.filter(subdistrict=subdistrict)}
        community_keys = {key: c for c in communities.values() for key in (c.code, c.name)}
        grids = {g.pk: g for g in Grid.objects.filter(community__subdistrict=subdistrict)}
        tickets = {cell_text(r.get("ticket")) for _n, r in rows} - {""}
        imported = dict(Report.objects.filter(source=Source.HOTLINE, external_id__in=tickets)
                        .values_list("external_id", "case__community__subdistrict"))
        now = clock.now()
        seen: dict[str, int] = {}
        for index, (n, row) in enumerate(rows, start=1):
            ticket = _text(plan, n, row, "ticket", limit=EXTERNAL_ID_MAX_LENGTH, required=True)
            if ticket:
                if ticket in seen:
                    plan.error(n, "ticket", "duplicate_in_file", _("The same ticket is already in row %(row)s.")
                               % {"row": seen[ticket]})
                seen.setdefault(ticket, n)
                if ticket in imported and imported[ticket] != subdistrict.pk:
                    plan.error(n, "ticket", "imported_elsewhere",
                               _("This ticket was already imported into another subdistrict."))
            received_at = None
            try:
                moment = cell_datetime(row.get("received_at"))
            except (ValueError, OverflowError):
                plan.error(n, "received_at", "invalid_datetime", _("Not a time; write it like 2026-11-20 14:30."))
            else:
                if moment is None:
                    plan.error(n, "received_at", "required", _("This column must be filled in."))
                else:
                    received_at = moment if moment.tzinfo else timezone.make_aware(moment)
                    if received_at > now:
                        plan.error(n, "received_at", "in_future", _("This time has not come yet."))
            category_text = cell_text(row.get("category"))
            category = categories.get(category_text.upper()) or categories.get(category_text.casefold())
            if category is None:
                if not category_text:
                    plan.error(n, "category", "required", _("This column must be filled in."))
                else:
                    plan.error(n, "category", "unknown_category", _("No category with the code or name "
                                                                    "“%(value)s”; see the category tree.")
                               % {"value": category_text[:30]})
            description = _text(plan, n, row, "description", limit=TEXT_MAX_LENGTH, required=True)
            address = _text(plan, n, row, "address", limit=ADDRESS_MAX_LENGTH)
            name = _text(plan, n, row, "reporter_name", limit=50)
            mobile = _mobile(plan, n, row, "reporter_mobile", required=False)
            place = self._place(plan, n, row, subdistrict=subdistrict, communities=communities,
                                community_keys=community_keys, grids=grids, locate=locate_in_crs,
                                to_shape=to_shape, make=Place)
            exists = ticket in imported
            if exists:
                plan.unchanged += 1
            else:
                plan.created += 1
            plan.items.append({"row": n, "ticket": ticket, "received_at": received_at, "category": category,
                               "description": description, "address": address, "place": place,
                               "reporter_name": name, "reporter_mobile": mobile, "exists": exists})
            if index % 500 == 0:
                progress(index, len(rows))
        return plan

    def _place(self, plan, n, row, *, subdistrict, communities, community_keys, grids, locate, to_shape, make):
        """Where the ticket is: its point (in the declared CRS) located in a grid of this subdistrict, else
        the named community, placed at a point inside it until someone on site records the real one."""
        lng_text, lat_text = cell_text(row.get("lng")), cell_text(row.get("lat"))
        crs_text = cell_text(row.get("crs"))
        crs = CRS_WORDS.get(crs_text.casefold().replace(" ", ""), "") if crs_text else "wgs84"
        if not crs:
            plan.error(n, "crs", "invalid_choice", _("Unknown coordinate system “%(value)s”; write WGS84, GCJ02 "
                                                     "or BD09.") % {"value": crs_text[:20]})
        if lng_text or lat_text:
            try:
                lng, lat = float(lng_text), float(lat_text)
            except ValueError:
                lng = lat = float("nan")
            if not (-180 <= lng <= 180 and -90 <= lat <= 90):
                plan.error(n, "lng", "invalid_location", _("Give both longitude and latitude as decimal degrees."))
                return None
            if not crs:
                return None
            where = locate(lng, lat, crs)
            community = communities.get(where.community_id)
            if community is None:
                plan.error(n, "lng", "outside_area", _("This point is outside the subdistrict's communities."))
                return None
            return make(lng=where.lng, lat=where.lat, community=community, grid=grids.get(where.grid_id))
        community_text = cell_text(row.get("community"))
        if not community_text:
            plan.error(n, "community", "location_required",
                       _("Give the point (longitude and latitude) or the community."))
            return None
        community = community_keys.get(community_text)
        if community is None:
            plan.error(n, "community", "unknown_code", _("No community “%(code)s” in this subdistrict.")
                       % {"code": community_text[:20]})
            return None
        if not community.boundary:
            plan.error(n, "community", "location_required",
                       _("This community has no boundary yet; give the point (longitude and latitude)."))
            return None
        inner = to_shape(community.boundary).representative_point()
        return make(lng=round(inner.x, 7), lat=round(inner.y, 7), community=community, grid=None)

    def write(self, plan, *, subdistrict, actor, progress=_nothing):
        from jusha.cases.services import hotline_report

        new = sorted((i for i in plan.items if not i["exists"]), key=lambda i: (i["received_at"], i["row"]))
        # Callers are kept as reporters are: an account found by mobile (created without a password; they
        # log in by code to follow their case), so they hear about it like any resident.
        mobiles = sorted({i["reporter_mobile"] for i in new if i["reporter_mobile"]})
        callers = _users_by_mobile(mobiles)
        missing = [User(mobile=m, name=next(i["reporter_name"] for i in new if i["reporter_mobile"] == m),
                        password=UNUSABLE_PASSWORD_PREFIX + token_urlsafe(30)) for m in mobiles if m not in callers]
        callers.update({u.mobile: u for u in User.objects.bulk_create(missing, batch_size=BATCH)})
        for done, item in enumerate(new, start=1):
            hotline_report(actor=actor, ticket=item["ticket"], category=item["category"],
                           description=item["description"], place=item["place"], received_at=item["received_at"],
                           address=item["address"], reporter=callers.get(item["reporter_mobile"]))
            if done % 100 == 0:
                progress(done, len(new))

    def export_rows(self, subdistrict):
        from jusha.cases.models import Report, Source

        reports = (Report.objects.filter(source=Source.HOTLINE, case__community__subdistrict=subdistrict)
                   .exclude(external_id="").select_related("case__community", "category", "reporter")
                   .order_by("created_at", "id"))
        for report in reports.iterator(chunk_size=BATCH):
            case, reporter = report.case, report.reporter
            yield {"ticket": report.external_id,
                   "received_at": timezone.localtime(report.created_at).strftime("%Y-%m-%d %H:%M:%S"),
                   "category": report.category.code, "description": report.description, "address": case.address,
                   "lng": f"{report.lng:.7f}", "lat": f"{report.lat:.7f}", "crs": "WGS84",
                   "reporter_name": reporter.name if reporter else "",
                   "reporter_mobile": (reporter.mobile or "") if reporter else "", "community": case.community.code}



# Chinese words for the volunteer record's codes, as a subdistrict's lists write them; the codes
# themselves are accepted too. They are the file format, like the headers.
SKILL_WORDS = {
    Skill.ELDERLY_CARE: "助老陪伴", Skill.CHILD_CARE: "儿童关爱", Skill.MEDICAL: "医疗急救",
    Skill.PSYCHOLOGY: "心理疏导", Skill.LEGAL: "法律咨询", Skill.TEACHING: "教育培训", Skill.IT: "电脑手机",
    Skill.REPAIR: "家电维修", Skill.CLEANING: "环境保洁", Skill.DRIVING: "驾驶配送", Skill.ARTS: "文艺表演",
    Skill.PHOTOGRAPHY: "摄影摄像", Skill.TRANSLATION: "翻译手语", Skill.ORDER: "秩序维护", Skill.EVENT: "活动组织",
    Skill.OTHER: "其他",
}
GENDER_WORDS = {Volunteer.Gender.MALE: "男", Volunteer.Gender.FEMALE: "女"}
ID_TYPE_WORDS = {
    Volunteer.IdType.RESIDENT_ID: "居民身份证", Volunteer.IdType.HK_MACAO: "港澳居民来往内地通行证",
    Volunteer.IdType.TAIWAN: "台湾居民来往大陆通行证", Volunteer.IdType.PASSPORT: "护照",
    Volunteer.IdType.FOREIGN_PR: "外国人永久居留身份证",
}
STATUS_WORDS = {
    Volunteer.Status.APPROVED: "已通过", Volunteer.Status.APPLIED: "待审核", Volunteer.Status.SUSPENDED: "已暂停",
    Volunteer.Status.REJECTED: "未通过", Volunteer.Status.WITHDRAWN: "已退出",
}


def _words(table: dict, *aliases: tuple[str, str]) -> dict[str, str]:
    return {**{str(code): str(code) for code in table}, **{w: str(c) for c, w in table.items()}, **dict(aliases)}


SKILL_READ = _words(SKILL_WORDS)
GENDER_READ = _words(GENDER_WORDS, ("男性", "male"), ("女性", "female"))
ID_TYPE_READ = _words(ID_TYPE_WORDS, ("身份证", "resident_id"), ("港澳通行证", "hk_macao"),
                      ("港澳居民居住证", "hk_macao"), ("台胞证", "taiwan"), ("台湾居民居住证", "taiwan"),
                      ("永久居留身份证", "foreign_pr"))
STATUS_READ = _words(STATUS_WORDS, ("通过", "approved"), ("在册", "approved"), ("待审", "applied"))
_MONTH_RE = re.compile(r"^(\d{4})\s*(?:[-/.年]\s*(\d{1,2})\s*月?|(\d{2}))$")
_NUMBER_RE = re.compile(r"^[0-9A-Za-z-]{1,20}$")
# Which template column a volunteers service's refusal is about.
_FIELD_COLUMN = {"name": "name", "gender": "gender", "birth_month": "birth_month", "id_type": "id_type",
                 "id_number": "id_number"}


def _birth_month(value) -> datetime.date | None:
    """1985-03, 1985/3, 1985年3月, 198503, or any date (its month). Raises ValueError otherwise."""
    text = cell_text(value)
    if not text:
        return None
    match = _MONTH_RE.match(text)
    if match:
        return datetime.date(int(match[1]), int(match[2] or match[3]), 1)
    day = cell_date(value)
    return day.replace(day=1) if day else None


class VolunteersSheet(Sheet):
    """Volunteer records, with the national record's fields. The natural key is the identity document
    (its keyed digest, where numbers are kept), else the mobile. The identity number is exported masked
    (last four only); an empty or masked cell on a known record means "unchanged", which is why the round
    trip keeps it."""

    kind = Kind.VOLUNTEERS
    columns = (
        Column("name", "姓名", gettext_lazy("name"), True, "王芳", ("志愿者姓名",)),
        Column("mobile", "手机号", gettext_lazy("mobile"), True, "13800000000", ("手机", "手机号码", "联系电话")),
        Column("gender", "性别", gettext_lazy("gender (男/女)"), True, "女"),
        Column("birth_month", "出生年月", gettext_lazy("birth month"), True, "1949-12", ("出生日期", "出生年月日")),
        Column("id_type", "证件类型", gettext_lazy("identity document"), False, "居民身份证", ("证件种类",)),
        Column("id_number", "证件号码", gettext_lazy("identity number (masked: unchanged)"), False,
               "11010519491231002X", ("身份证号", "身份证号码", "证件号")),
        Column("skills", "服务技能", gettext_lazy("service skills"), True, "助老陪伴、医疗急救",
               ("技能", "志愿服务技能")),
        Column("community", "社区编码", gettext_lazy("home community code"), True, "330114001001",
               ("所属社区编码", "居住社区编码")),
        Column("service_area", "服务社区编码", gettext_lazy("communities served (codes)"), False,
               "330114001001、330114001002", ("服务社区", "服务范围")),
        Column("member_unit", "所属单位", gettext_lazy("member unit (its volunteer team)"), False, "",
               ("单位", "志愿服务队")),
        Column("number", "志愿者编号", gettext_lazy("volunteer number (registered elsewhere)"), False, "",
               ("编号", "志愿者证号")),
        Column("status", "状态", gettext_lazy("status (已通过/待审核)"), False, "已通过", ("审核状态",)),
    )

    def _choice(self, plan, n, row, key, table: dict, default: str = "") -> str:
        text = cell_text(row.get(key))
        if not text:
            if not default and self.column(key).required:
                plan.error(n, key, "required", _("This column must be filled in."))
            return default
        if text not in table and text.lower() not in table:
            plan.error(n, key, "invalid_choice", _("Unknown value “%(value)s”; use one of %(choices)s.")
                       % {"value": text[:20], "choices": "、".join(w for w in table if w not in table.values())})
            return ""
        return table.get(text) or table[text.lower()]

    def check(self, rows, *, subdistrict, progress=_nothing):
        from jusha.volunteers import idnumbers, services

        plan = Plan()
        communities = _communities(subdistrict)
        units = {u.name.casefold(): u.pk for u in MemberUnit.objects.filter(alliance__subdistrict=subdistrict,
                                                                             is_active=True)}
        parsed = []
        for n, row in rows:
            name = _text(plan, n, row, "name", limit=50, required=True)
            mobile = _mobile(plan, n, row, "mobile", required=True)
            gender = self._choice(plan, n, row, "gender", GENDER_READ)
            try:
                birth_month = _birth_month(row.get("birth_month"))
                if birth_month is None:
                    plan.error(n, "birth_month", "required", _("This column must be filled in."))
            except (ValueError, OverflowError):
                plan.error(n, "birth_month", "invalid_date", _("Not a month; write it like 1985-03."))
                birth_month = None
            id_type = self._choice(plan, n, row, "id_type", ID_TYPE_READ, default=Volunteer.IdType.RESIDENT_ID)
            id_text = re.sub(r"\s", "", cell_text(row.get("id_number"))).upper()
            skill_words = codes_in(cell_text(row.get("skills")))
            skills = [SKILL_READ.get(w) or SKILL_READ.get(w.lower()) for w in skill_words]
            if not skill_words:
                plan.error(n, "skills", "required", _("This column must be filled in."))
            for word, code in zip(skill_words, skills, strict=True):
                if code is None:
                    plan.error(n, "skills", "invalid_choice", _("Unknown skill “%(value)s”; use one of %(choices)s.")
                               % {"value": word[:20], "choices": "、".join(SKILL_WORDS.values())})
            skills = [s for s in Skill.values if s in skills]
            code = cell_text(row.get("community"))
            if not code:
                plan.error(n, "community", "required", _("This column must be filled in."))
            elif code not in communities:
                plan.error(n, "community", "unknown_code", _("No community with code %(code)s in this subdistrict.")
                           % {"code": code[:20]})
            area = codes_in(cell_text(row.get("service_area")))
            for c in area:
                if c not in communities:
                    plan.error(n, "service_area", "unknown_code",
                               _("No community with code %(code)s in this subdistrict.") % {"code": c[:20]})
            if len(area) > services.MAX_SERVICE_AREA:
                plan.error(n, "service_area", "too_many", _("At most %(n)s communities.")
                           % {"n": services.MAX_SERVICE_AREA})
            unit_name = cell_text(row.get("member_unit"))
            unit = units.get(unit_name.casefold()) if unit_name else None
            if unit_name and unit is None:
                plan.error(n, "member_unit", "unknown_code", _("No active member unit “%(value)s” in this "
                                                               "subdistrict.") % {"value": unit_name[:40]})
            number = cell_text(row.get("number"))
            if number and not _NUMBER_RE.match(number):
                plan.error(n, "number", "invalid_number", _("A volunteer number has at most 20 letters, digits "
                                                            "and dashes."))
                number = ""
            status = self._choice(plan, n, row, "status", STATUS_READ)  # empty: see _match
            number_id = ""
            if id_text and not id_text.startswith("*") and gender and birth_month and id_type:
                try:
                    number_id = services._identity(name=name or "-", gender=gender, birth_month=birth_month,
                                                   id_type=id_type, id_number=id_text).id_number
                except DomainError as exc:
                    plan.error(n, _FIELD_COLUMN.get(exc.field, "id_number"), exc.code, exc.message)
            elif birth_month and (birth_month.year < 1900 or birth_month > clock.now().date()):
                plan.error(n, "birth_month", "invalid_date", _("This month of birth is not possible."))
            parsed.append({"row": n, "name": name, "mobile": mobile, "gender": gender, "birth_month": birth_month,
                           "id_type": id_type, "id_text": id_text, "id_number": number_id, "skills": skills,
                           "community": communities.get(code), "service_area": sorted({communities[c] for c in area
                                                                                       if c in communities}),
                           "member_unit": unit, "number": number, "status": status})
        progress(len(rows) // 2, len(rows))
        self._match(plan, parsed, subdistrict, idnumbers)
        progress(len(rows), len(rows))
        return plan

    def _match(self, plan: Plan, parsed: list[dict], subdistrict, idnumbers) -> None:
        """Find each row's record (identity digest, else the account's or the contact mobile), and check
        the file against itself and the database."""
        # The digest is empty where the deployment keeps no numbers: the mobile is the key there.
        digests = {d: p for p in parsed if p["id_number"] and (d := idnumbers.digest(p["id_type"], p["id_number"]))}
        mobiles = sorted({p["mobile"] for p in parsed if p["mobile"]})
        numbers = sorted({p["number"] for p in parsed if p["number"]})
        base = Volunteer.objects.select_related("community").prefetch_related("service_area")
        by_digest, by_user, by_contact, contacts, by_number = {}, {}, {}, {}, {}
        for start in range(0, max(len(digests), len(mobiles), len(numbers)), BATCH):
            for v in base.filter(id_number_digest__in=list(digests)[start:start + BATCH]):
                by_digest[v.id_number_digest] = v
            for v in base.filter(Q(user__mobile__in=mobiles[start:start + BATCH])
                                 | Q(mobile__in=mobiles[start:start + BATCH])).select_related("user"):
                if v.user.mobile:
                    by_user[v.user.mobile] = v
                contacts.setdefault(v.mobile, []).append(v)
            by_number.update(Volunteer.objects.filter(number__in=numbers[start:start + BATCH])
                             .values_list("number", "pk"))
        by_contact = {m: vs[0] for m, vs in contacts.items() if len(vs) == 1}
        seen: dict[tuple, int] = {}
        for p in parsed:
            n = p["row"]
            digest = (idnumbers.digest(p["id_type"], p["id_number"]) if p["id_number"] else "") or None
            record = (by_digest.get(digest) if digest else None) or by_user.get(p["mobile"]) \
                or by_contact.get(p["mobile"])
            other = by_user.get(p["mobile"])
            if record is not None and other is not None and other.pk != record.pk:
                plan.error(n, "mobile", "duplicate_in_database",
                           _("This mobile belongs to another volunteer's account."))
            for key, value, column in (("mobile", p["mobile"], "mobile"), ("id", digest, "id_number"),
                                       ("number", p["number"], "number"),
                                       ("record", record.pk if record else None, "mobile")):
                if value:
                    if (key, value) in seen:
                        plan.error(n, column, "duplicate_in_file", _("The same volunteer is already in row "
                                                                     "%(row)s.") % {"row": seen[(key, value)]})
                    seen.setdefault((key, value), n)
            if p["number"] and by_number.get(p["number"], record.pk if record else None) != (
                    record.pk if record else None):
                plan.error(n, "number", "duplicate_in_database", _("This volunteer number belongs to another "
                                                                   "record."))
            # An empty status cell: a new record is approved, a known one keeps its status.
            p["status"] = p["status"] or (record.status if record else Volunteer.Status.APPROVED)
            if record is None:
                self._check_new(plan, p)
            else:
                self._check_known(plan, p, record, subdistrict, idnumbers)
            p["id"] = record.pk if record else None
            if record is None:
                plan.created += 1
            elif self._differs(record, p, digest):
                plan.updated += 1
                p["changed"] = True
            else:
                plan.unchanged += 1
            plan.items.append(p)

    def _check_new(self, plan: Plan, p: dict) -> None:
        n = p["row"]
        if not p["id_number"] and (not p["id_text"] or p["id_text"].startswith("*")):
            plan.error(n, "id_number", "required", _("A new volunteer needs the full identity number."))
        if p["status"] not in (Volunteer.Status.APPROVED, Volunteer.Status.APPLIED):
            plan.error(n, "status", "invalid_choice", _("A new record is either 已通过 or 待审核."))

    def _check_known(self, plan: Plan, p: dict, record: Volunteer, subdistrict, idnumbers) -> None:
        n = p["row"]
        if record.community.subdistrict_id != subdistrict.pk:
            plan.error(n, "mobile", "volunteer_elsewhere",
                       _("This volunteer is registered in another subdistrict."))
        # A masked number from an export: unchanged if it is this record's.
        if not p["id_number"] and p["id_text"] and p["id_text"] != idnumbers.masked(record.id_number_last4):
            plan.error(n, "id_number", "invalid_id_number", _("This identity number is masked but is not the "
                                                                  "record's; write the full number."))
        if not p["id_number"] and p["gender"] and p["birth_month"] and (
                p["id_type"] != record.id_type
                or (record.id_type == Volunteer.IdType.RESIDENT_ID
                    and (p["gender"], p["birth_month"]) != (record.gender, record.birth_month))):
            plan.error(n, "id_number", "id_mismatch", _("The identity document, gender or month of birth changed: "
                                                        "write the full identity number too."))
        if p["status"] and p["status"] != record.status and not (
                record.status == Volunteer.Status.APPLIED and p["status"] == Volunteer.Status.APPROVED):
            plan.error(n, "status", "status_change", _("An import only approves applications; change this "
                                                       "record's status in the console."))
        if p["number"] and record.number and p["number"] != record.number:
            plan.error(n, "number", "number_fixed", _("This volunteer already has the number %(number)s; it "
                                                      "is kept for good.") % {"number": record.number})

    def _differs(self, record: Volunteer, p: dict, digest: str | None) -> bool:
        area = sorted(c.pk for c in record.service_area.all())
        return ((record.name, record.mobile, record.gender, record.birth_month, record.id_type, record.skills,
                 record.community_id, area, record.member_unit_id, record.status)
                != (p["name"], p["mobile"], p["gender"], p["birth_month"], p["id_type"], p["skills"], p["community"],
                    p["service_area"] or [p["community"]], p["member_unit"], p["status"])
                or (digest is not None and digest != record.id_number_digest)
                or bool(p["number"]) and p["number"] != record.number)

    def write(self, plan, *, subdistrict, actor, progress=_nothing):
        from jusha.volunteers.services import volunteer_import_record

        for item in plan.items:
            if item["id"] is None or item.get("changed"):
                volunteer_import_record(actor=actor, subdistrict=subdistrict, record=item)

    def export_rows(self, subdistrict):
        from jusha.volunteers import idnumbers

        records = (Volunteer.objects.filter(community__subdistrict=subdistrict)
                   .select_related("community", "member_unit").prefetch_related("service_area")
                   .order_by("community__code", "number", "id"))
        for v in records:
            yield {"name": v.name, "mobile": v.mobile, "gender": GENDER_WORDS.get(v.gender, v.gender),
                   "birth_month": v.birth_month.strftime("%Y-%m"), "id_type": ID_TYPE_WORDS.get(v.id_type, v.id_type),
                   "id_number": idnumbers.masked(v.id_number_last4),
                   "skills": "、".join(SKILL_WORDS.get(s, s) for s in v.skills),
                   "community": v.community.code,
                   "service_area": "、".join(sorted(c.code for c in v.service_area.all())),
                   "member_unit": v.member_unit.name if v.member_unit_id else "", "number": v.number or "",
                   "status": STATUS_WORDS.get(v.status, v.status)}


SHEETS: dict[str, Sheet] = {s.kind: s for s in (UnitsSheet(), ResidentsSheet(), StaffSheet(), GridWorkersSheet(),
                                                HotlineSheet(), VolunteersSheet())}
