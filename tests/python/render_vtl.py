"""Renders an API Gateway mapping template with airspeed-ext (the Velocity engine
LocalStack uses), with `$input`, `$util` and `$context` as API Gateway documents them.

argv[1]: a JSON file {"template": str, "cases": [{"body": str, "claims": {...},
         "requestId": str, "extendedRequestId": str, "path": str}]}
stdout: a JSON list, one per case, of {"text": the rendered text, "status": the
        `$context.responseOverride.status` set (or null), "headers": the
        `$context.responseOverride.header` values set}.
"""

import base64
import json
import sys

import airspeed


def escape_javascript(text):
    """`$util.escapeJavaScript`: Apache Commons Lang 2 `StringEscapeUtils.escapeJavaScript`,
    over the UTF-16 code units of a Java string."""
    out = []
    units = text.encode("utf-16-be")
    for i in range(0, len(units), 2):
        ch = (units[i] << 8) | units[i + 1]
        if ch > 0x7F:
            out.append("\\u%04X" % ch)
        elif ch < 32:
            named = {8: "\\b", 10: "\\n", 9: "\\t", 12: "\\f", 13: "\\r"}
            out.append(named.get(ch, "\\u%04X" % ch))
        else:
            c = chr(ch)
            out.append({"'": "\\'", '"': '\\"', "\\": "\\\\", "/": "\\/"}.get(c, c))
    return "".join(out)


class Util:
    def escapeJavaScript(self, text):
        return escape_javascript(str(text))

    def base64Encode(self, text):
        """`$util.base64Encode`: the string's UTF-8 bytes in standard base64."""
        return base64.b64encode(str(text).encode("utf-8")).decode("ascii")


class Input:
    def __init__(self, body):
        self.body = body

    def json(self, path):
        if path != "$":
            raise ValueError("only $input.json('$') is supported here, not " + path)
        return json.dumps(json.loads(self.body), ensure_ascii=False, separators=(",", ":"))

    def path(self, path):
        """`$input.path('$.name')`: one top-level member of the JSON body (or "")."""
        if not path.startswith("$.") or "." in path[2:]:
            raise ValueError("only $input.path('$.name') is supported here, not " + path)
        value = json.loads(self.body).get(path[2:], "")
        return value


def main():
    with open(sys.argv[1], encoding="utf-8") as file:
        request = json.load(file)
    template = airspeed.Template(request["template"])
    rendered = []
    for case in request["cases"]:
        override = {"header": {}}
        context = {
            "requestId": case.get("requestId", ""),
            "extendedRequestId": case.get("extendedRequestId", ""),
            "path": case.get("path", ""),
            "authorizer": {"claims": case.get("claims", {})},
            "responseOverride": override,
        }
        text = template.merge({"input": Input(case["body"]), "util": Util(), "context": context})
        rendered.append(
            {"text": text, "status": override.get("status"), "headers": override["header"]}
        )
    json.dump(rendered, sys.stdout)


if __name__ == "__main__":
    main()
