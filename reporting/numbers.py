"""Reading a number as people in a Chinese office type it: `3.2亿`, `3.2亿元`, `32000万`,
`1.2万`, `三千二百`, `一万二`, `１２，０００`, `1,234.5万元`. The magnitude (万, 亿, 千, 百) is
applied and the value converted to the question's unit (万元, 元, or a count such as 家);
what was converted is said back, so the person sees what was understood.

`read_number(text, unit)` → `Reading(value, said)` or None if the text is no number.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

DIGITS = {"零": 0, "〇": 0, "一": 1, "壹": 1, "二": 2, "贰": 2, "两": 2, "三": 3, "叁": 3,
          "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7, "八": 8,
          "捌": 8, "九": 9, "玖": 9}
SMALL = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
LARGE = {"万": Decimal(10_000), "萬": Decimal(10_000), "亿": Decimal(100_000_000),
         "億": Decimal(100_000_000)}
# What a word after Arabic digits multiplies them by: 3.2亿, 32000万, 3千.
MAGNITUDES = {**LARGE, "千": Decimal(1000), "百": Decimal(100)}
# The money units a figure can be typed in, in yuan.
MONEY = {"元": Decimal(1), "万元": Decimal(10_000), "亿元": Decimal(100_000_000)}

_ARABIC = re.compile(r"^[+-]?\d+(\.\d+)?$")
_GROUPED = re.compile(r"(?<=\d)[,'\s](?=\d{3}(?!\d))")


@dataclass(frozen=True)
class Reading:
    value: Decimal  # in the question's unit
    said: str | None = None  # `3.2亿元 = 32,000 万元` when a magnitude or unit was converted


def read_number(text: str, unit: str = "") -> Reading | None:
    """The number `text` stands for, in `unit` (万元, 元, 家, …); None if it is none."""
    flat = unicodedata.normalize("NFKC", text).strip().replace(" ", "")
    flat = _GROUPED.sub("", flat)
    typed_unit, body = _split_unit(flat, unit)
    if not body:
        return None
    magnitude = Decimal(1)
    while body and body[-1] in MAGNITUDES and not _is_chinese(body):
        # 3.2亿, 32000万, 1.2千 (a magnitude after Arabic digits)
        magnitude *= MAGNITUDES[body[-1]]
        body = body[:-1]
    number = _arabic(body)
    if number is None:
        number = _chinese(body)
        if number is None:
            return None
    amount = number * magnitude
    said = None
    if unit in MONEY:
        # 3.2亿 and 32000万 are yuan magnitudes; a bare number is in the question's unit.
        base = MONEY[typed_unit] if typed_unit else (Decimal(1) if magnitude != 1
                                                     else MONEY[unit])
        value = (amount * base / MONEY[unit]).normalize()
        if magnitude != 1 or (typed_unit and typed_unit != unit):
            said = f"{text.strip()} = {_plain(value)} {unit}"
    else:
        value = amount.normalize()
        if magnitude != 1 or _is_chinese(body):
            said = f"{text.strip()} = {_plain(value)}{(' ' + unit) if unit else ''}"
    if said is None and _is_chinese(body):
        said = f"{text.strip()} = {_plain(value)} {unit}".rstrip()
    return Reading(value=value, said=said)


def _split_unit(text: str, unit: str) -> tuple[str, str]:
    """The unit typed after the number (its own, or a money unit), and the rest."""
    candidates = sorted({unit, *MONEY} if unit in MONEY else {unit}, key=len, reverse=True)
    for candidate in candidates:
        if candidate and text.endswith(candidate):
            rest = text[: -len(candidate)]
            if candidate == "元" and rest.endswith(("万", "亿")):  # 3.2亿元: 亿 is magnitude
                return "元", rest
            return candidate, rest
    return "", text


def _arabic(text: str) -> Decimal | None:
    if not _ARABIC.match(text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _is_chinese(text: str) -> bool:
    return bool(text) and all(ch in DIGITS or ch in SMALL or ch in LARGE or ch == "点"
                              for ch in text)


def _chinese(text: str) -> Decimal | None:
    """`三千二百` → 3200, `一万二` → 12000, `两千零五` → 2005, `十二` → 12, `三点五` → 3.5."""
    if not _is_chinese(text) or text[0] in LARGE or text[0] == "点":
        return None  # 万 alone is no number
    if "点" in text:
        whole, _, fraction = text.partition("点")
        if not fraction or any(ch not in DIGITS for ch in fraction):
            return None
        head = _chinese(whole) if whole else Decimal(0)
        if head is None:
            return None
        return head + Decimal("0." + "".join(str(DIGITS[ch]) for ch in fraction))
    total, section = Decimal(0), Decimal(0)
    digit: int | None = None
    place = 1  # the place value of the last unit seen (十 10, 千 1000, 万 10000, …)
    for ch in text:
        if ch in DIGITS:
            digit = DIGITS[ch]
        elif ch in SMALL:
            section += (digit if digit is not None else 1) * SMALL[ch]
            place, digit = SMALL[ch], None
        else:  # 万, 亿: everything so far is counted in it
            total = (total + section + (digit or 0)) * LARGE[ch]
            section, digit, place = Decimal(0), None, int(LARGE[ch])
    if digit is not None:
        # 一万二 is 12,000 and 三千五 3,500: a digit right after a unit counts one place
        # below it; after 零 (一千零五) or alone (五) it is itself.
        right_after_unit = len(text) > 1 and text[-2] not in DIGITS
        section += digit * (place // 10) if right_after_unit and place >= 10 else digit
    return total + section


def _plain(value: Decimal) -> str:
    """`32000` → `32,000`; `0.5` stays; trailing zeros away."""
    normal = value.normalize()
    if normal == normal.to_integral_value():
        return f"{int(normal):,}"
    return f"{normal:,f}"
