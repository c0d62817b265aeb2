"""Fake but well-formed people: Chinese names, unique mainland mobile numbers, example.com emails."""

from __future__ import annotations

import numpy as np

# Common surnames with their pinyin, for names and email local parts.
SURNAMES = (
    ("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"), ("杨", "yang"), ("黄", "huang"),
    ("赵", "zhao"), ("吴", "wu"), ("周", "zhou"), ("徐", "xu"), ("孙", "sun"), ("马", "ma"), ("朱", "zhu"),
    ("胡", "hu"), ("郭", "guo"), ("何", "he"), ("林", "lin"), ("罗", "luo"), ("高", "gao"), ("郑", "zheng"),
    ("梁", "liang"), ("谢", "xie"), ("宋", "song"), ("唐", "tang"), ("许", "xu"), ("韩", "han"), ("冯", "feng"),
    ("邓", "deng"), ("曹", "cao"), ("彭", "peng"), ("曾", "zeng"), ("肖", "xiao"), ("田", "tian"), ("董", "dong"),
)
GIVEN = (
    ("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"), ("丽", "li"), ("强", "qiang"),
    ("磊", "lei"), ("军", "jun"), ("洋", "yang"), ("勇", "yong"), ("艳", "yan"), ("杰", "jie"), ("娟", "juan"),
    ("涛", "tao"), ("明", "ming"), ("超", "chao"), ("秀", "xiu"), ("霞", "xia"), ("平", "ping"), ("刚", "gang"),
    ("婷", "ting"), ("浩", "hao"), ("宇", "yu"), ("欣", "xin"), ("怡", "yi"), ("佳", "jia"), ("子", "zi"),
    ("晨", "chen"), ("雪", "xue"), ("梓", "zi"), ("轩", "xuan"), ("思", "si"), ("雨", "yu"), ("博", "bo"),
)
MOBILE_PREFIXES = (130, 131, 132, 133, 135, 136, 137, 138, 139, 150, 151, 152, 155, 156, 158, 159,
                   180, 181, 182, 183, 185, 186, 187, 188, 189)
EMAIL_DOMAINS = ("example.com", "mail.example.com", "example.net", "example.org")


def chinese_names(rng: np.random.Generator, count: int) -> tuple[list[str], list[str]]:
    """`count` names (surname + one or two given characters) and their pinyin, e.g. ("王思雨", "wang.siyu")."""
    surnames = rng.integers(0, len(SURNAMES), count)
    first = rng.integers(0, len(GIVEN), count)
    second = rng.integers(-len(GIVEN) // 2, len(GIVEN), count)  # negative: a one-character given name
    names, pinyin = [], []
    for s, f, g in zip(surnames, first, second, strict=True):
        given = [GIVEN[f]] + ([GIVEN[g]] if g >= 0 else [])
        names.append(SURNAMES[s][0] + "".join(c for c, _ in given))
        pinyin.append(SURNAMES[s][1] + "." + "".join(p for _, p in given))
    return names, pinyin


def mobile_numbers(rng: np.random.Generator, count: int) -> list[str]:
    """Unique +86 mobile numbers on 13x/15x/18x prefixes."""
    picks = rng.choice(len(MOBILE_PREFIXES) * 100_000_000, size=count, replace=False)
    prefixes = np.array(MOBILE_PREFIXES)[picks // 100_000_000]
    return [f"+86{prefix}{rest:08d}" for prefix, rest in zip(prefixes, picks % 100_000_000, strict=True)]


def personal_emails(rng: np.random.Generator, pinyin: list[str], numbers: list[int]) -> list[str]:
    """Emails on reserved example domains; the number keeps namesakes apart."""
    domains = rng.integers(0, len(EMAIL_DOMAINS), len(pinyin))
    return [f"{name}{number}@{EMAIL_DOMAINS[d]}" for name, number, d in zip(pinyin, numbers, domains, strict=True)]
