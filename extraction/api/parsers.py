"""A JSON parser that refuses absurdly nested bodies with a 400 instead of recursing into a 500."""

from __future__ import annotations

import json
from typing import IO, TYPE_CHECKING, Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

if TYPE_CHECKING:
    from collections.abc import Mapping

MAX_JSON_DEPTH = 64


def json_depth_exceeds(raw: bytes, limit: int) -> bool:
    """True when brackets outside strings nest deeper than ``limit`` (one linear scan)."""
    depth = 0
    in_string = escaped = False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > limit:
                return True
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return False


class BoundedJSONParser(JSONParser):
    def parse(
        self,
        stream: IO[bytes] | None,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        raw = stream.read() if stream is not None else b""
        if json_depth_exceeds(raw, MAX_JSON_DEPTH):
            raise ParseError(f"JSON body nests deeper than {MAX_JSON_DEPTH} levels.")
        encoding = parser_context.get("encoding", "utf-8") if parser_context else "utf-8"
        try:
            return json.loads(raw.decode(encoding))
        except LookupError:
            raise ParseError(f"Unsupported charset {encoding!r}; send utf-8.") from None
        except RecursionError:
            raise ParseError(f"JSON body nests deeper than {MAX_JSON_DEPTH} levels.") from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc
