"""The census sorts pseudonyms as integers: their order must be the order of their text, which the file keeps."""

import base64
import hashlib
import hmac
import uuid

from django.conf import settings

from financeurs.pseudonyms import pseudonym_ranks, pseudonym_text


def spelled_out(funder_id, pseudonym_hex):
    """The pseudonym as its definition says, with the standard library's base32."""
    digest = hmac.new(settings.PSEUDONYM_KEY.encode(), f"{funder_id}:{pseudonym_hex}".encode(), hashlib.sha256)
    return "P-" + base64.b32encode(digest.digest())[:12].decode()


def test_ranks_give_the_pseudonym_and_sort_as_its_text():
    ranks = pseudonym_ranks(7)
    ids = [uuid.UUID(int=n * 0x9E3779B97F4A7C15).hex for n in range(3000)]
    by_rank = sorted(ids, key=ranks)
    assert [pseudonym_text(ranks(value)) for value in ids] == [spelled_out(7, value) for value in ids]
    # Digits "2" to "7" sort before letters: a plain base32 integer would put them after "Z".
    assert [pseudonym_text(ranks(value)) for value in by_rank] == sorted(spelled_out(7, value) for value in ids)
