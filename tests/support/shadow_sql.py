#!/usr/bin/env python3
"""From the SQL enumwatch sent (a PostgreSQL server log with log_statement = 'all'), builds a
shadow for every function and operator it uses: public functions and operators of the same name
over the argument types a catalog query meets, each of which records its call in
public.shadow_calls (docs/security.md, "search_path").

  shadow_sql.py statements LOG APP      the statements application APP sent, one JSON per line:
                                        {"sql": ..., "params": [...]}
  shadow_sql.py shadows LOG APP         the SQL that creates the shadows (run it as the tenant)
"""
import json
import re
import sys

RECORD = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ \S+ \[\d+\] (?P<app>[^:]*): (?P<rest>.*)$")
STATEMENT = re.compile(r"^LOG:  (?:execute [^:]*|statement): (?P<sql>.*)$", re.S)
PARAMS = re.compile(r"^DETAIL:  parameters: (?P<list>.*)$", re.S)
PARAM = re.compile(r"\$(\d+) = (NULL|'(?:[^']|'')*')")


def records(path):
    current = None
    for line in open(path, encoding="utf-8", errors="replace"):
        line = line.rstrip("\n")
        m = RECORD.match(line)
        if m:
            if current:
                yield current
            current = [m["app"], m["rest"]]
        elif current:
            current[1] += "\n" + line.lstrip("\t")
    if current:
        yield current


def statements(path, app):
    out = []
    for rec_app, text in records(path):
        if rec_app != app:
            continue
        m = STATEMENT.match(text)
        if m:
            out.append({"sql": m["sql"], "params": []})
            continue
        p = PARAMS.match(text)
        if p and out:
            params = {}
            for number, value in PARAM.findall(p["list"]):
                params[int(number)] = None if value == "NULL" else value[1:-1].replace("''", "'")
            out[-1]["params"] = [params[i] for i in sorted(params)]
    return out


def strip_literals(sql):
    """The SQL without string literals, dollar quotes and comments (each becomes a space)."""
    out, i = [], 0
    while i < len(sql):
        c = sql[i]
        if sql.startswith("--", i):
            j = sql.find("\n", i)
            i = len(sql) if j < 0 else j
        elif sql.startswith("/*", i):
            j = sql.find("*/", i + 2)
            i = len(sql) if j < 0 else j + 2
        elif c == "$" and (m := re.match(r"\$([A-Za-z_][A-Za-z_0-9]*)?\$", sql[i:])):
            tag = m.group(0)
            j = sql.find(tag, i + len(tag))
            i = len(sql) if j < 0 else j + len(tag)
        elif c == "'":
            escaped = i > 0 and sql[i - 1] in "eE"
            j = i + 1
            while j < len(sql):
                if escaped and sql[j] == "\\":
                    j += 2
                    continue
                if sql[j] == "'":
                    if j + 1 < len(sql) and sql[j + 1] == "'":
                        j += 2
                        continue
                    break
                j += 1
            i = j + 1
        else:
            out.append(c)
            i += 1
            continue
        out.append(" ")
    return "".join(out)


KEYWORDS = {
    "select", "from", "where", "exists", "in", "any", "all", "values", "coalesce", "cast", "array",
    "row", "rows", "filter", "over", "not", "and", "or", "as", "on", "join", "lateral", "case",
    "when", "then", "else", "end", "nullif", "greatest", "least", "with", "recursive", "union",
    "operator", "using", "limit", "order", "by", "group", "having", "distinct", "is", "null",
    "left", "right", "inner", "outer", "cross", "into", "returns", "function", "trigger", "table",
    "tag", "if", "do", "begin", "set", "event", "create", "drop", "schema", "comment", "execute",
    "perform", "declare", "raise", "exception", "revoke", "grant", "owner", "to", "x", "heads",
}
OPERATOR_CHARS = "+-*/<>=~!@#%^&|`?"


def used(sql_texts):
    functions, operators = set(), set()
    for sql in sql_texts:
        text = strip_literals(sql)
        text = re.sub(r'"(?:[^"]|"")*"', " q ", text)  # quoted identifiers: names, not calls
        for m in re.finditer(r"OPERATOR\s*\(\s*(?:\w+\s*\.\s*)?([^\s)]+)\s*\)", text):
            operators.add(m.group(1))
        text = re.sub(r"OPERATOR\s*\([^)]*\)", " ", text)
        for m in re.finditer(r"(?:\b\w+\s*\.\s*)?\b([A-Za-z_]\w*)\s*\(", text):
            if m.group(1).lower() not in KEYWORDS:
                functions.add(m.group(1).lower())
        for m in re.finditer(r"[" + re.escape(OPERATOR_CHARS) + r"]+", text):
            op = m.group(0)
            if op not in ("*",) and not op.startswith("--"):
                operators.add(op)
        lowered = text.lower()
        if re.search(r"\bnot\s+like\b", lowered):
            operators.add("!~~")
        if re.search(r"\blike\b", lowered):
            operators.add("~~")
        if re.search(r"\bilike\b", lowered):
            operators.add("~~*")
        if re.search(r"\b(in|any|all)\b", lowered):
            operators.update({"=", "<>"})
        if re.search(r"\bbetween\b", lowered):
            operators.update({">=", "<="})
        if "is distinct from" in lowered:
            operators.add("=")
    operators.discard("::")
    operators = {op for op in operators if not op.startswith("::") and op not in ("$",)}
    return sorted(functions), sorted(operators)


OPERAND_TYPES = ["name", "text", "oid", "integer", "smallint", "bigint", '"char"', "boolean",
                 "regclass", "text[]", "name[]", "smallint[]", "oid[]", "double precision", "real"]
ARG_TYPES = ["text", "name", "oid", "integer", "smallint", "boolean", "text[]", "regclass",
             "anyarray", "bytea"]
ARG_TYPES_3 = ["text", "oid", "integer", "boolean"]


def ident(name):
    return '"' + name.replace('"', '""') + '"'


def shadows(functions, operators):
    out = [
        "CREATE TABLE IF NOT EXISTS public.shadow_calls (what text, by_role text DEFAULT "
        "current_user, at timestamptz DEFAULT now());",
        "GRANT INSERT, SELECT ON public.shadow_calls TO PUBLIC;",
    ]
    n = 0

    def function(name, args, returns):
        nonlocal n
        n += 1
        signature = f"{name}({', '.join(args)})"
        record = signature.replace("'", "''")
        out.append(
            f"CREATE FUNCTION public.{ident(name)}({', '.join(args)}) RETURNS {returns} "
            f"LANGUAGE plpgsql AS $s$ BEGIN INSERT INTO public.shadow_calls (what) VALUES "
            f"('{record}'); RETURN NULL; END $s$;")

    signatures = [[]] + [[a] for a in ARG_TYPES] + [[a, b] for a in ARG_TYPES for b in ARG_TYPES]
    signatures += [[a, b, c] for a in ARG_TYPES_3 for b in ARG_TYPES_3 for c in ARG_TYPES_3]
    for name in functions:
        for args in signatures:
            if "anyarray" in args:
                continue
            function(name, args, "text")
    for index, op in enumerate(operators):
        returns = "text" if op == "||" else "boolean"
        for left in OPERAND_TYPES:
            for right in OPERAND_TYPES:
                helper = f"shadow_op_{index}_{n}"
                function(helper, [left, right], returns)
                out.append(f"CREATE OPERATOR public.{op} (LEFTARG = {left}, RIGHTARG = {right}, "
                           f"FUNCTION = public.{helper});")
    return out


def main():
    mode, log, app = sys.argv[1:4]
    found = statements(log, app)
    if mode == "statements":
        for s in found:
            print(json.dumps(s))
    elif mode == "shadows":
        functions, operators = used(s["sql"] for s in found)
        print(f"-- functions: {' '.join(functions)}")
        print(f"-- operators: {' '.join(operators)}")
        print("BEGIN;")
        print("\n".join(shadows(functions, operators)))
        print("COMMIT;")
    else:
        sys.exit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()
