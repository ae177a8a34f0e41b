"""Chinese names for the demo subdistrict. Fictional, modelled on Hangzhou's Xiasha (下沙)."""

DISTRICT = ("330114", "钱塘区")
SUBDISTRICT = ("330114001", "聚沙街道")
ALLIANCE = "聚沙党建联盟"

# In code order (001…020): rows from north-west to south-east; the last four, by the river, are villages.
COMMUNITIES = [
    "智格社区", "滟澜社区", "文海社区", "高沙社区", "金沙湖社区",
    "文溪社区", "学林社区", "云水社区", "月雅社区", "湾南社区",
    "听涛社区", "松合社区", "元成社区", "天城社区", "新沙社区",
    "景苑社区", "沙田村", "六堡村", "七格村", "东湖村",
]
VILLAGES = {"沙田村", "六堡村", "七格村", "东湖村"}

NUMERALS = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"]

# (Team.Kind value, name), one per kind.
TEAMS = [
    ("integrated_brigade", "综合管理大队"),
    ("environment", "环保队"),
    ("judicial", "司法所"),
    ("city_management", "城管中队"),
    ("municipal_works", "市政队"),
    ("market_supervision", "市场监管所"),
    ("fire_safety", "消防站"),
    ("health", "卫健队"),
    ("housing", "住建队"),
]

ROADS = ["文泽路", "学林街", "文渊路", "学源街", "福城路", "海达南路", "天城东路", "金沙大道", "听涛路",
         "云水街", "月雅路", "松合街", "元成路", "智格路", "滟澜街", "文溪路", "高沙路", "沙田路"]

UNIVERSITIES = [
    "钱塘理工大学", "杭州江东电子科技大学", "钱江工商大学", "浙江沙海计量大学", "钱塘师范学院",
    "浙江聚沙财经大学", "钱江传媒学院", "钱塘经济职业技术学院", "浙江江东金融职业学院",
    "杭州沙城职业技术学院", "钱江水利水电学院", "浙江海潮警官职业学院",
]

SCHOOL_KINDS = ["小学", "中学", "实验学校", "幼儿园", "第二小学"]

HOSPITALS = [
    "钱塘区第一人民医院", "钱塘区中医院", "聚沙街道社区卫生服务中心", "钱塘区妇幼保健院", "聚沙口腔医院",
    "钱塘区第二人民医院", "江东康复医院", "文海社区卫生服务站", "智格社区卫生服务站", "高沙社区卫生服务站",
    "滟澜社区卫生服务站", "金沙湖眼科医院",
]

SOCIAL_KINDS = ["社会工作服务中心", "志愿者协会", "居家养老服务中心", "青少年成长服务中心", "文体协会",
                "邻里互助会"]
SOCIAL_STEMS = ["聚沙", "钱塘", "文海", "智格", "滟澜", "高沙", "金沙湖", "学林"]

GOVERNMENT_DEPARTMENTS = [
    "钱塘区民政局", "钱塘区人力资源和社会保障局", "钱塘区教育局", "钱塘区卫生健康局", "钱塘区市场监督管理局",
    "钱塘区生态环境分局", "钱塘区住房和城乡建设局", "钱塘区交通运输局", "钱塘区司法局",
    "钱塘区文化和广电旅游体育局", "钱塘区应急管理局", "钱塘区退役军人事务局", "钱塘区税务局", "钱塘区总工会",
    "共青团钱塘区委", "钱塘区妇女联合会", "钱塘区残疾人联合会", "钱塘区图书馆", "钱塘公安分局聚沙派出所",
    "钱塘区消防救援大队",
]

OTHER_UNITS = [
    "工商银行钱塘支行", "建设银行聚沙支行", "农业银行钱塘支行", "中国银行聚沙支行", "杭州银行钱塘支行",
    "中国邮政聚沙营业部", "中国移动聚沙营业厅", "中国电信钱塘分公司", "钱塘日报社", "聚沙物业管理协会",
    "钱塘水务聚沙营业所", "钱塘燃气聚沙服务站",
]

ENTERPRISE_PREFIXES = ["杭州", "浙江", "钱塘", "聚沙", "杭州江东", "浙江沙海"]

# How many member units of each category (160 in all).
UNIT_COUNTS = {
    "enterprise": 60,
    "university": len(UNIVERSITIES),
    "school": 20,
    "hospital": len(HOSPITALS),
    "social_organisation": 24,
    "government_department": len(GOVERNMENT_DEPARTMENTS),
    "other": len(OTHER_UNITS),
}
