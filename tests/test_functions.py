from __future__ import annotations

import hashlib

import pytest

from emrlint.terraform.functions import FUNCTIONS, call_function
from emrlint.values import UNKNOWN, EvalError, Unknown, is_unknown

BUCKET = Unknown({"aws_s3_bucket.b"})


class FakeCtx:
    base_dir = "/repo/modules/emr"

    def __init__(self):
        self.files = {"bootstrap.sh": "#!/bin/bash\necho hi\n"}
        self.rendered = []

    def read_file(self, path):
        return self.files.get(path, Unknown())

    def file_exists(self, path):
        return path in self.files

    def render_template(self, path, variables):
        self.rendered.append((path, variables))
        return "rendered:" + ",".join(f"{k}={v}" for k, v in sorted(variables.items()))


def call(name, *args, ctx=None):
    return call_function(name, ctx or FakeCtx(), list(args))


def raises(name, *args, match=None):
    with pytest.raises(EvalError, match=match):
        call(name, *args)


# --- numeric ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name,args,expected",
    [
        ("abs", [-3.5], 3.5),
        ("ceil", [1.2], 2),
        ("floor", [-1.2], -2),
        ("max", [1, 7, "3"], 7),
        ("min", [4, 2.5], 2.5),
        ("pow", [2, 10], 1024),
        ("pow", [4, 0.5], 2),
        ("signum", [-9], -1),
        ("signum", [0], 0),
        ("parseint", ["ff", 16], 255),
        ("parseint", ["-1010", 2], -10),
        ("parseint", ["Zz", 62], 61 * 62 + 35),
        ("sum", [[1, 2, 3.5]], 6.5),
        ("sum", [[0.5, 0.5]], 1),
        ("log", [8, 2], 3),
        ("range", [3], [0, 1, 2]),
        ("range", [1, 4], [1, 2, 3]),
        ("range", [0, 1, 0.25], [0, 0.25, 0.5, 0.75]),
        ("range", [5, 2], [5, 4, 3]),
        ("range", [-3], [0, -1, -2]),
    ],
)
def test_numeric(name, args, expected):
    result = call(name, *args)
    assert result == expected
    assert type(result) is type(expected)


def test_numeric_errors():
    raises("max", match="at least one number")
    raises("parseint", "12g", 16, match="cannot parse")
    raises("parseint", "1", 99, match="between 2 and 62")
    raises("sum", [], match="empty")
    raises("range", 0, 5, 0, match="zero")
    raises("range", 0, 5, -1)
    raises("range", 0, 5000, match="1024")
    raises("abs", "x", match="cannot convert")


# --- strings ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name,args,expected",
    [
        ("chomp", ["hello\r\n\n"], "hello"),
        ("endswith", ["hello.sh", ".sh"], True),
        ("startswith", ["s3://b", "gs://"], False),
        ("strcontains", ["spark-defaults", "defaults"], True),
        ("indent", [2, "a\nb\nc"], "a\n  b\n  c"),
        ("join", ["-", ["a", "b"], ["c"]], "a-b-c"),
        ("join", [",", [1, True]], "1,true"),
        ("lower", ["EMR"], "emr"),
        ("upper", ["emr"], "EMR"),
        ("title", ["hello wORLD-foo"], "Hello WORLD-Foo"),
        ("split", [",", "a,b,,c"], ["a", "b", "", "c"]),
        ("split", [",", ""], [""]),
        ("strrev", ["abc"], "cba"),
        ("substr", ["hello world", 1, 4], "ello"),
        ("substr", ["hello world", -5, -1], "world"),
        ("substr", ["hello", 10, 2], ""),
        ("trim", ["?!hello?!", "!?"], "hello"),
        ("trimprefix", ["s3://bucket", "s3://"], "bucket"),
        ("trimprefix", ["bucket", "s3://"], "bucket"),
        ("trimsuffix", ["logs/", "/"], "logs"),
        ("trimspace", ["  x \n"], "x"),
        ("replace", ["1 + 2 + 3", "+", "-"], "1 - 2 - 3"),
        ("replace", ["hello world", "/w(or)ld/", "$1-${1}x$$"], "hello or-orx$"),
        ("replace", ["a-b", "/(?P<x>\\w)-(\\w)/", "${x}$2$9"], "ab"),
        ("regex", ["[a-z]+", "123abc456"], "abc"),
        ("regex", ["(\\d+)-(\\d+)", "emr-6-10"], ["6", "10"]),
        ("regex", ["(?P<major>\\d+)\\.(?P<minor>\\d+)", "emr-6.10.0"], {"major": "6", "minor": "10"}),
        ("regex", ["^[[:alpha:]]+", "abc1"], "abc"),
        ("regex", ["x\\z", "ax"], "x"),
        ("regexall", ["\\d+", "a1b22c"], ["1", "22"]),
        ("regexall", ["z", "abc"], []),
        ("lower", [5], "5"),
    ],
)
def test_strings(name, args, expected):
    assert call(name, *args) == expected


def test_string_errors():
    raises("lower", [1], match="lower: expected a string, got tuple")
    raises("lower", None, match="got null")
    raises("regex", "\\d", "abc", match="did not match")
    raises("regex", "(a)(?P<n>b)", "ab", match="mix")
    raises("regex", "(?=a)", "a", match="lookaround")
    raises("regex", "(a+)+$", "a" * 100_000 + "b", match="did not match")
    raises("join", ",", ["a", None])
    raises("upper", "a", "b", match="expected 1 arguments, got 2")


def test_regex_is_re2():
    assert call("regex", "\\pL+", "1été2") == "été"  # Unicode classes, as in Go
    assert call("replace", "abc", "/\\pL/", "x") == "xxx"
    assert call("regex", "[[:foo:]]", "abc") is UNKNOWN  # syntax RE2 cannot read: unknown, never a crash
    assert call("regexall", "(a+)+$", "a" * 100_000 + "b") == []  # no catastrophic backtracking
    assert call("regexall", "(x+x+)+y", "x" * 50_000) == []
    assert call("replace", "a" * 50_000 + "!", "/(a|aa)+$/", "z") == "a" * 50_000 + "!"


# --- format --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spec,args,expected",
    [
        ("Hello, %s!", ["Ander"], "Hello, Ander!"),
        ("There are %d lights", [4], "There are 4 lights"),
        ("%s %s %s", [True, 2, 2.5], "true 2 2.5"),
        ("%.2f|%05.1f|%-4d|%4s|%x|%X|%b|%o", [3.14159, 2.25, 7, "ab", 255, 255, 5, 8], "3.14|002.2|7   |  ab|ff|FF|101|10"),
        ("%+d % d", [5, 5], "+5  5"),
        ("%v|%v|%v|%v|%v", ["s", 10, 1000000, None, {"b": [1], "a": "<"}], 's|10|1e+06|null|{"a":"\\u003c","b":[1]}'),
        ("%#v", ["s"], '"s"'),
        ("%q", ['a"b'], '"a\\"b"'),
        ("%t", ["true"], "true"),
        ("%.3s", ["abcdef"], "abc"),
        ("100%%", [], "100%"),
        ("%[2]s-%[1]s", ["a", "b"], "b-a"),
        ("%e", [1500], "1.500000e+03"),
    ],
)
def test_format(spec, args, expected):
    assert call("format", spec, *args) == expected


def test_format_errors():
    raises("format", "%s %s", "a", match="not enough arguments")
    raises("format", "%s", "a", "b", match="too many arguments")
    raises("format", "%s", None, match="null")
    raises("format", "%d", 1.5, match="integer")
    raises("format", "%z", 1, match="unsupported format verb")
    raises("format", "50%", match="invalid format string")
    raises("format", "%s", [1], match="expected a string")


def test_format_with_unknown_argument_is_partial():
    result = call("format", "s3://%s/logs/", BUCKET)
    assert is_unknown(result)
    assert result.parts == ("s3://", BUCKET, "/logs/")
    assert result.refs == {"aws_s3_bucket.b"}


def test_format_unknown_with_width_is_plain_unknown():
    result = call("format", "x%5s", Unknown({"aws_s3_bucket.b"}, parts=("ab", BUCKET)))
    assert result.parts == ("x", BUCKET)  # the padded piece is wholly unknown
    assert result.refs == {"aws_s3_bucket.b"}


def test_format_keeps_known_pieces_of_partial_argument():
    result = call("format", "%s.sh", Unknown(parts=("s3://", BUCKET, "/boot")))
    assert result.parts == ("s3://", BUCKET, "/boot.sh")


def test_formatlist():
    assert call("formatlist", "%s=%d", ["a", "b"], [1, 2]) == ["a=1", "b=2"]
    assert call("formatlist", "%s-%s", "x", ["a", "b"]) == ["x-a", "x-b"]
    assert call("formatlist", "%s", []) == []
    raises("formatlist", "%s%s", ["a"], ["b", "c"], match="same length")
    assert call("formatlist", "%s", BUCKET).refs == {"aws_s3_bucket.b"}
    partial = call("formatlist", "s3://%s/", ["a", BUCKET])
    assert partial[0] == "s3://a/"
    assert partial[1].parts == ("s3://", BUCKET, "/")


# --- partially known strings -------------------------------------------------------------------


def test_join_with_unknown_element_is_partial():
    result = call("join", ",", ["a", BUCKET, "c"])
    assert result.parts == ("a,", BUCKET, ",c")


def test_case_functions_keep_unknown_pieces():
    partial = Unknown(parts=("S3://", BUCKET, "/Logs"))
    assert call("lower", partial).parts == ("s3://", BUCKET, "/logs")
    assert call("upper", partial).parts == ("S3://", BUCKET, "/LOGS")
    assert call("title", Unknown(parts=("my app ", BUCKET))).parts == ("My App ", BUCKET)
    assert call("lower", BUCKET) == BUCKET


def test_trimspace_and_chomp_on_partial():
    assert call("trimspace", Unknown(parts=("  a", BUCKET, " b  "))).parts == ("a", BUCKET, " b")
    assert call("chomp", Unknown(parts=(BUCKET, "x\n"))).parts == (BUCKET, "x")
    assert call("indent", 2, Unknown(parts=("a\n", BUCKET))).parts == ("a\n  ", BUCKET)


def test_affix_functions_on_partial():
    s3 = Unknown(parts=("s3://", BUCKET, "/"))
    assert call("startswith", s3, "s3://") is True
    assert call("startswith", s3, "gs://") is False
    assert is_unknown(call("startswith", Unknown(parts=("s3", BUCKET)), "s3://"))
    assert call("endswith", s3, "/") is True
    assert call("trimsuffix", s3, "/").parts == ("s3://", BUCKET)
    assert call("trimprefix", s3, "gs://") is s3
    assert call("strcontains", s3, "://") is True
    assert is_unknown(call("strcontains", s3, "logs"))
    assert call("startswith", BUCKET, "s3://").refs == {"aws_s3_bucket.b"}


# --- collections ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name,args,expected",
    [
        ("alltrue", [[True, "true"]], True),
        ("alltrue", [[]], True),
        ("anytrue", [[False, None]], False),
        ("chunklist", [[1, 2, 3], 2], [[1, 2], [3]]),
        ("chunklist", [[1, 2], 0], [[1, 2]]),
        ("coalesce", [None, "", "x"], "x"),
        ("coalesce", ["a", BUCKET], "a"),
        ("coalescelist", [[], ["a"]], ["a"]),
        ("compact", [["a", "", None, "b"]], ["a", "b"]),
        ("concat", [[1], [2, 3], []], [1, 2, 3]),
        ("contains", [["a", 1], 1], True),
        ("contains", [[1], True], False),
        ("distinct", [["b", "a", "b", 1, 1.0]], ["b", "a", 1]),
        ("element", [["a", "b", "c"], 4], "b"),
        ("element", [["a", "b", "c"], -1], "c"),
        ("flatten", [[1, [2, [3, []]], {"a": 1}]], [1, 2, 3, {"a": 1}]),
        ("index", [["a", "b"], "b"], 1),
        ("keys", [{"b": 1, "a": 2, "B": 3}], ["B", "a", "b"]),
        ("values", [{"b": 1, "a": 2}], [2, 1]),
        ("length", ["héllo"], 5),
        ("length", [{"a": 1}], 1),
        ("lookup", [{"a": 1, "b": BUCKET}, "a"], 1),
        ("lookup", [{"a": 1}, "z", 0], 0),
        ("matchkeys", [["i1", "i2", "i3"], ["a", "b", "a"], ["a"]], ["i1", "i3"]),
        ("merge", [{"a": 1, "b": 2}, None, {"b": 3}], {"a": 1, "b": 3}),
        ("merge", [], {}),
        ("one", [[]], None),
        ("one", [["x"]], "x"),
        ("reverse", [[1, 2]], [2, 1]),
        ("setintersection", [["a", "b", "c"], ["b", "c", "d"]], ["b", "c"]),
        ("setproduct", [["a", "b"], [1, 2]], [["a", 1], ["a", 2], ["b", 1], ["b", 2]]),
        ("setsubtract", [["c", "a", "b"], ["b"]], ["a", "c"]),
        ("setunion", [["b"], ["a", "b"]], ["a", "b"]),
        ("setunion", [[3, 1], [2]], [1, 2, 3]),
        ("slice", [["a", "b", "c", "d"], 1, 3], ["b", "c"]),
        ("sort", [["b", "a", "10", "9"]], ["10", "9", "a", "b"]),
        ("sort", [[10, 9]], ["10", "9"]),
        ("transpose", [{"a": ["1", "2"], "b": ["2", "3"]}], {"1": ["a"], "2": ["a", "b"], "3": ["b"]}),
        ("zipmap", [["a", "b"], [1, BUCKET]], {"a": 1, "b": BUCKET}),
    ],
)
def test_collections(name, args, expected):
    assert call(name, *args) == expected


def test_collection_errors():
    raises("length", None, match="length: expected")
    raises("length", 5)
    raises("lookup", {"a": 1}, "b", match="does not exist")
    raises("element", [], 0, match="empty list")
    raises("index", ["a"], "z", match="not found")
    raises("one", [1, 2])
    raises("slice", [1, 2], 1, 3, match="invalid slice")
    raises("concat", [1], "x", match="expected a list")
    raises("merge", {"a": 1}, ["x"], match="expected a map")
    raises("coalesce", None, "", match="no non-null")
    raises("zipmap", ["a"], [], match="1 keys but 0 values")
    raises("sort", ["a", None])
    raises("setproduct", ["a"], match="two arguments")


def test_collections_keep_unknown_elements():
    assert call("length", [BUCKET, 1]) == 2
    assert is_unknown(call("length", BUCKET))
    assert call("concat", ["a"], [BUCKET]) == ["a", BUCKET]
    assert call("flatten", [[BUCKET], ["x"]]) == [BUCKET, "x"]
    assert call("compact", ["", BUCKET]) == [BUCKET]
    assert call("element", [BUCKET, "x"], 0) is BUCKET
    assert call("keys", {"a": BUCKET}) == ["a"]
    assert call("values", {"a": BUCKET}) == [BUCKET]
    assert call("distinct", ["a", BUCKET, "a"]) == ["a", BUCKET]
    assert call("reverse", [BUCKET, 1]) == [1, BUCKET]
    assert call("contains", [BUCKET, "a"], "a") is True
    assert is_unknown(call("contains", [BUCKET], "a"))
    assert call("alltrue", [BUCKET, False]) is False
    assert is_unknown(call("alltrue", [BUCKET, True]))
    assert call("anytrue", [BUCKET, True]) is True
    assert call("matchkeys", [BUCKET, "y"], ["a", "b"], ["a"]) == [BUCKET]


def test_unknown_propagation_keeps_refs():
    for result in (
        call("merge", {"a": 1}, BUCKET),
        call("lookup", BUCKET, "a"),
        call("lookup", {"a": 1}, BUCKET),
        call("coalesce", None, BUCKET, "x"),
        call("coalescelist", [], BUCKET, ["a"]),
        call("sort", ["a", BUCKET]),
        call("setunion", ["a"], [BUCKET]),
        call("base64encode", BUCKET),
        call("cidrsubnet", BUCKET, 4, 1),
        call("keys", BUCKET),
    ):
        assert is_unknown(result)
        assert result.refs == {"aws_s3_bucket.b"}


def test_coalesce_with_partial_string_returns_it():
    partial = Unknown(parts=("s3://", BUCKET))
    assert call("coalesce", None, "", partial, "x") is partial


def test_lookup_unknown_default_not_used_when_key_present():
    assert call("lookup", {"a": 1}, "a", BUCKET) == 1
    assert call("lookup", {"a": 1}, "b", BUCKET) is BUCKET


# --- type conversion -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name,arg,expected",
    [
        ("tobool", "true", True),
        ("tobool", None, None),
        ("tonumber", "42", 42),
        ("tonumber", "1.5e3", 1500),
        ("tonumber", "-0.25", -0.25),
        ("tostring", 2, "2"),
        ("tostring", 2.0, "2"),
        ("tostring", 1e21, "1000000000000000000000"),
        ("tostring", False, "false"),
        ("tolist", ["a", 1, True], ["a", "1", "true"]),
        ("toset", ["b", "a", "b"], ["a", "b"]),
        ("toset", [3, 1, 3], [1, 3]),
        ("toset", ["b", BUCKET, "a"], ["a", "b", BUCKET]),
        ("tomap", {"a": 1, "b": "x"}, {"a": "1", "b": "x"}),
        ("tomap", {"a": 1, "b": 2}, {"a": 1, "b": 2}),
        ("sensitive", "secret", "secret"),
        ("nonsensitive", [1], [1]),
    ],
)
def test_conversions(name, arg, expected):
    assert call(name, arg) == expected


def test_conversion_errors():
    raises("tonumber", "abc", match="cannot convert")
    raises("tonumber", True)
    raises("tobool", "yes", match="expected a bool")
    raises("tostring", [1], match="expected a string")
    raises("tolist", {"a": 1}, match="expected a list")
    raises("tomap", ["a"], match="expected a map")


def test_conversions_keep_partial_strings():
    partial = Unknown(parts=("s3://", BUCKET))
    assert call("tostring", partial) is partial
    assert call("tonumber", BUCKET).refs == {"aws_s3_bucket.b"}


# --- encoding ----------------------------------------------------------------------------------------


def test_jsonencode_matches_terraform():
    value = {"b": [1, 2.5, None, True], "a": "<&>", "n": 1e21}
    assert call("jsonencode", value) == '{"a":"\\u003c\\u0026\\u003e","b":[1,2.5,null,true],"n":1000000000000000000000}'


def test_jsonencode_with_unknown_leaves_is_partial():
    partial_str = Unknown(parts=("s3://", BUCKET, '/"x"'))
    result = call("jsonencode", {"bucket": BUCKET, "path": partial_str})
    assert result.parts == ('{"bucket":', BUCKET, ',"path":"s3://', BUCKET, '/\\"x\\""}')
    assert result.refs == {"aws_s3_bucket.b"}
    assert call("jsonencode", BUCKET).refs == {"aws_s3_bucket.b"}


def test_json_round_trip_with_unknown_leaves():
    partial_str = Unknown({"aws_s3_bucket.b"}, parts=("s3://", BUCKET, '/"x"'))
    value = {"a": [1, BUCKET], "b": {"c": partial_str, "d": "plain"}}
    decoded = call("jsondecode", call("jsonencode", value))
    assert decoded == value


def test_jsondecode_heredoc_with_interpolation():
    text = Unknown(parts=('[{"Classification":"spark","Properties":{"x":"', BUCKET, '"}}]'))
    decoded = call("jsondecode", text)
    assert decoded[0]["Classification"] == "spark"
    assert decoded[0]["Properties"]["x"] is BUCKET


def test_jsondecode_interpolation_inside_longer_string_and_value_position():
    text = Unknown(parts=('{"path":"s3://', BUCKET, '/logs","n":', BUCKET, "}"))
    decoded = call("jsondecode", text)
    assert decoded["path"].parts == ("s3://", BUCKET, "/logs")
    assert decoded["n"] is BUCKET


def test_jsondecode_unknown_key_or_odd_spot_is_unknown():
    for text in (Unknown(parts=('{"', BUCKET, '":1}')), Unknown(parts=('{"a":1', BUCKET, "}"))):
        result = call("jsondecode", text)
        assert is_unknown(result) and result.parts is None
        assert result.refs == {"aws_s3_bucket.b"}


def test_jsondecode_known():
    assert call("jsondecode", '{"a":[1,2.0,1.5,null,"x"]}') == {"a": [1, 2, 1.5, None, "x"]}
    raises("jsondecode", "{bad", match="jsondecode")
    raises("jsondecode", "NaN")


def test_yaml():
    assert call("yamldecode", "a: 1\nb: [x, 2.0, true]\nc: 2020-01-01\nd: ~\n") == {
        "a": 1, "b": ["x", 2, True], "c": "2020-01-01", "d": None,
    }
    raises("yamldecode", "a: [1")
    assert is_unknown(call("yamlencode", {"a": 1}))


@pytest.mark.parametrize(
    "name,arg,expected",
    [
        ("base64encode", "Hello World", "SGVsbG8gV29ybGQ="),
        ("base64decode", "SGVsbG8gV29ybGQ=", "Hello World"),
        ("urlencode", "a b/c?d=é~", "a+b%2Fc%3Fd%3D%C3%A9~"),
        ("md5", "hello", hashlib.md5(b"hello").hexdigest()),
        ("sha1", "hello", hashlib.sha1(b"hello").hexdigest()),
        ("sha256", "hello", "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"),
        ("sha512", "hello", hashlib.sha512(b"hello").hexdigest()),
        ("base64sha256", "hello", "LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ="),
        ("csvdecode", "a,b\n1,\"x,y\"\n", [{"a": "1", "b": "x,y"}]),
    ],
)
def test_encoding(name, arg, expected):
    assert call(name, arg) == expected


def test_encoding_errors():
    raises("base64decode", "not base64!")
    raises("csvdecode", "a,b\n1\n", match="wrong number of fields")
    raises("csvdecode", "", match="missing header")


# --- file system (fake context) ---------------------------------------------------------------------------


def test_file_functions_use_context():
    ctx = FakeCtx()
    assert call("file", "bootstrap.sh", ctx=ctx) == "#!/bin/bash\necho hi\n"
    assert is_unknown(call("file", "missing.sh", ctx=ctx))
    assert call("fileexists", "bootstrap.sh", ctx=ctx) is True
    assert call("fileexists", "nope", ctx=ctx) is False
    assert call("templatefile", "t.tpl", {"a": 1, "b": BUCKET}, ctx=ctx).startswith("rendered:a=1")
    assert ctx.rendered == [("t.tpl", {"a": 1, "b": BUCKET})]
    assert call("abspath", "scripts/../x.sh", ctx=ctx) == "/repo/modules/emr/x.sh"
    assert call("abspath", "/abs/y", ctx=ctx) == "/abs/y"


def test_file_functions_with_unknown_or_bad_arguments():
    assert call("file", BUCKET).refs == {"aws_s3_bucket.b"}
    assert is_unknown(call("templatefile", "t.tpl", BUCKET))
    raises("templatefile", "t.tpl", ["x"], match="expected a map")
    for name in ("filemd5", "filesha256", "filebase64", "filebase64sha256"):
        assert is_unknown(call(name, "bootstrap.sh"))
    assert call("fileset", BUCKET, "*.sh").refs == {"aws_s3_bucket.b"}


@pytest.mark.parametrize(
    "name,arg,expected",
    [
        ("dirname", "foo/bar/baz.txt", "foo/bar"),
        ("dirname", "baz.txt", "."),
        ("dirname", "/", "/"),
        ("basename", "foo/bar/baz.txt", "baz.txt"),
        ("basename", "foo/bar/", "bar"),
        ("basename", "", "."),
        ("pathexpand", "scripts/a.sh", "scripts/a.sh"),
    ],
)
def test_paths(name, arg, expected):
    assert call(name, arg) == expected


def test_pathexpand_home_is_unknown():
    assert is_unknown(call("pathexpand", "~/.ssh/id_rsa"))


# --- networking --------------------------------------------------------------------------------------------------


def test_cidr_functions():
    assert call("cidrhost", "10.12.112.0/20", 268) == "10.12.113.12"
    assert call("cidrhost", "10.0.0.0/24", -1) == "10.0.0.255"
    assert call("cidrhost", "fd00:fd12:3456:7890::/56", 34) == "fd00:fd12:3456:7800::22"
    assert call("cidrnetmask", "172.16.0.0/12") == "255.240.0.0"
    assert call("cidrsubnet", "172.16.0.0/12", 4, 2) == "172.18.0.0/16"
    assert call("cidrsubnet", "10.1.2.0/24", 4, 15) == "10.1.2.240/28"
    assert call("cidrsubnets", "10.1.0.0/16", 4, 4, 8, 4) == ["10.1.0.0/20", "10.1.16.0/20", "10.1.32.0/24", "10.1.48.0/20"]
    raises("cidrhost", "10.0.0.0/30", 4, match="does not accommodate")
    raises("cidrsubnet", "10.0.0.0/30", 4, 0, match="insufficient address space")
    raises("cidrsubnet", "10.0.0.0/16", 2, 4, match="does not accommodate")
    raises("cidrsubnets", "10.0.0.0/24", 1, 1, 1, match="not enough remaining")
    raises("cidrnetmask", "::/64", match="IPv4")
    raises("cidrhost", "not-a-cidr", 1, match="invalid CIDR")


# --- registry -----------------------------------------------------------------------------------------------------


def test_unknown_and_non_static_functions():
    assert call("nosuchfn", 1, "a") is UNKNOWN
    assert call("provider::aws::arn_parse", "arn:aws:s3:::b") is UNKNOWN
    assert call("nosuchfn", BUCKET).refs == {"aws_s3_bucket.b"}
    for name in ("can", "try"):
        assert name not in FUNCTIONS
        assert is_unknown(call(name, 1))
    for name in ("timestamp", "uuid", "bcrypt", "uuidv5", "timeadd", "formatdate", "plantimestamp", "type", "list", "map"):
        assert is_unknown(call(name, "x"))


def test_unexpected_python_errors_become_eval_errors():
    raises("floor", call("pow", 10, 1e10))  # OverflowError inside math.floor(inf)
    raises("base64decode", "/w==")  # valid base64 but not UTF-8
    raises("keys", "a", "b", match="expected 1 arguments")
