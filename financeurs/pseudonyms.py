"""The pseudonyms of the participant file: stable for one funder, different for another."""

import hmac

from django.conf import settings


def pseudonym(funder_id, pseudonym_id):
    """Stable across exports for one funder, different for another, so two funders cannot link their files.

    "P-" and the first 12 characters of the base32 of HMAC-SHA256(PSEUDONYM_KEY, "<funder id>:<pseudonym id>"),
    the pseudonym id being the 32 hexadecimal digits of the learner's random Learner.pseudonym_id, never the
    sequential primary key: a pseudonym says nothing of who signed up first.
    """
    return pseudonymiser(funder_id)(pseudonym_id.hex)


def pseudonymiser(funder_id):
    """pseudonym() for one funder, fast enough for 100,000 rows (base64.b32encode is slow pure Python)."""
    ranks_of, text_of = pseudonym_ranks(funder_id), pseudonym_text

    def pseudonymise(pseudonym_hex):
        return text_of(ranks_of(pseudonym_hex))

    return pseudonymise


def pseudonym_ranks(funder_id):
    """The pseudonym of a pseudonym id (32 hexadecimal digits) as a 60-bit integer that sorts as its text does.

    Each 5-bit digit is the rank of its base32 character in text order ("2" to "7" come before "A"), so the
    census sorts small integers rather than 100,000 strings, and writes the text only with the row.
    """
    keyed = hmac.new(settings.PSEUDONYM_KEY.encode(), digestmod="sha256")
    prefix = f"{funder_id}:"

    def ranks(pseudonym_hex):
        mac = keyed.copy()  # the key's padding is hashed once, not once per row
        mac.update(f"{prefix}{pseudonym_hex}".encode())
        # 60 bits = 12 base32 digits; adding 6 to every digit, modulo 32 and without carries between digits,
        # turns a base32 value into its character's rank ("A" = 0 becomes 6, "2" = 26 becomes 0).
        bits = int.from_bytes(mac.digest()[:8], "big") >> 4
        return ((bits & LOW_BITS) + RANK_SHIFT) ^ (bits & HIGH_BITS)

    return ranks


def pseudonym_text(ranks):
    """ "P-" and the 12 characters of pseudonym_ranks(), looked up two at a time."""
    pairs = RANKED_PAIRS
    return (
        f"P-{pairs[ranks >> 50]}{pairs[ranks >> 40 & 1023]}{pairs[ranks >> 30 & 1023]}"
        f"{pairs[ranks >> 20 & 1023]}{pairs[ranks >> 10 & 1023]}{pairs[ranks & 1023]}"
    )


BASE32_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
RANKED_ALPHABET = "".join(sorted(BASE32_ALPHABET))
RANKED_PAIRS = [first + second for first in RANKED_ALPHABET for second in RANKED_ALPHABET]
HIGH_BITS = int("10000" * 12, 2)  # the top bit of each of the 12 digits
LOW_BITS = int("01111" * 12, 2)
RANK_SHIFT = int("00110" * 12, 2)  # 6 in every digit
