"""XLSForm expressions (the ODK XPath subset) evaluated over whole columns at once.

`relevant`, `constraint` and `choice_filter` cells hold small XPath expressions. A survey
batch can have a million submissions, so an expression is compiled once into a tree and
then evaluated with numpy over every row together, never row by row in Python. Work that
depends on a single string (splitting a select_multiple answer, parsing a number) is done
once per *distinct* value and spread back with the factorisation codes: survey columns
have few distinct values, so this is both exact and fast.

Semantics follow ODK (JavaRosa) where they matter for checking data:

* ``${name}`` is the answer of a question, ``.`` the answer of the question the
  expression belongs to, and a bare ``name`` (only in a choice_filter) the name of the
  candidate choice; any other bare word names another column of the choices sheet.
* ``=`` and ``!=`` compare as booleans if either side is boolean, as numbers if either
  side is a number (``${x} = 3``), otherwise as strings (``${x} = 'yes'``). ``<``, ``<=``,
  ``>``, ``>=`` always compare numbers. An empty answer is NaN as a number, so any
  comparison with it is false (and ``!=`` true, as in IEEE arithmetic).
* Strings become numbers only when they are plain decimal numbers; ISO dates and
  date-times become days since 1970-01-01, so that ``. <= today()`` works on dates.
* Answers of numeric questions (see `ecocluster.survey.columns.Context`) behave as
  numbers: two integer answers compare numerically and an answer of ``0`` is false.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pandas as pd

from ecocluster.errors import InstrumentError
from ecocluster.survey.columns import (
    BoolArray,
    Context,
    FloatArray,
    IntArray,
    ObjectArray,
    factorize_strings,
    format_number,
    parse_dates,
    parse_numbers,
)

__all__ = [
    "FUNCTIONS",
    "BoolArray",
    "Context",
    "Expression",
    "FloatArray",
    "IntArray",
    "ObjectArray",
    "compile_expression",
    "parse_dates",
    "parse_numbers",
]


# ------------------------------------------------------------------ values
_NODE, _STRING, _NUMBER, _BOOLEAN = "node", "string", "number", "boolean"


@dataclass(frozen=True)
class _Value:
    """An intermediate result: a scalar or one entry per row.

    A node is an answer read from the frame; `key` says where, so per-value work can use
    the context's caches, and `numeric` marks answers of numeric questions.
    """

    kind: str
    data: Any
    key: str | None = None
    numeric: bool = False


class _EvaluationError(Exception):
    """An expression needs something the caller did not give (a choice column)."""


class _Env:
    """One evaluation: the context plus the values of ``.`` and the choice columns."""

    def __init__(self, context: Context, current: str, choice: Mapping[str, ObjectArray]) -> None:
        self.context = context
        self.current = current
        self.choice = choice
        self._local: dict[str, tuple[IntArray, ObjectArray]] = {}

    def factorized(self, value: _Value, strings: ObjectArray) -> tuple[IntArray, ObjectArray]:
        if value.kind == _NODE and value.key is not None:
            if value.key.startswith("\0"):
                if value.key not in self._local:
                    self._local[value.key] = factorize_strings(strings)
                return self._local[value.key]
            return self.context.factorized(value.key)
        return factorize_strings(strings)


def _to_strings(env: _Env, value: _Value) -> Any:
    if value.kind in (_NODE, _STRING):
        return value.data
    if value.kind == _BOOLEAN:
        if np.ndim(value.data) == 0:
            return "true" if value.data else "false"
        return np.where(value.data, "true", "false").astype(object)
    if np.ndim(value.data) == 0:
        return format_number(float(value.data))
    codes, uniques = pd.factorize(value.data, use_na_sentinel=False)
    return np.array([format_number(float(u)) for u in uniques], dtype=object)[codes]


def _map_strings(env: _Env, value: _Value, function: Callable[[str], Any], dtype: Any) -> Any:
    """Apply a per-string function once per distinct value."""
    strings = _to_strings(env, value)
    if np.ndim(strings) == 0:
        return function(str(strings))
    codes, uniques = env.factorized(value, strings)
    return np.fromiter((function(u) for u in uniques), dtype=dtype, count=len(uniques))[codes]


def _map_pairs(
    env: _Env, left: _Value, right: _Value, function: Callable[[str, str], Any], dtype: Any
) -> Any:
    """Apply a two-string function once per distinct pair of values."""
    a, b = _to_strings(env, left), _to_strings(env, right)
    if np.ndim(b) == 0:
        fixed_b = str(b)
        return _map_strings(env, left, lambda x: function(x, fixed_b), dtype)
    if np.ndim(a) == 0:
        fixed_a = str(a)
        return _map_strings(env, right, lambda y: function(fixed_a, y), dtype)
    codes_a, uniques_a = env.factorized(left, a)
    codes_b, uniques_b = env.factorized(right, b)
    width = max(len(uniques_b), 1)
    pair_codes, pairs = pd.factorize(codes_a.astype(np.int64) * width + codes_b)
    index_a, index_b = np.divmod(np.asarray(pairs, dtype=np.int64), width)
    results = np.fromiter(
        (function(uniques_a[i], uniques_b[j]) for i, j in zip(index_a, index_b, strict=True)),
        dtype=dtype,
        count=len(pairs),
    )
    return results[pair_codes]


def _to_numbers(env: _Env, value: _Value) -> Any:
    if value.kind == _NUMBER:
        return value.data
    if value.kind == _BOOLEAN:
        return (
            np.asarray(value.data, dtype=np.float64) if np.ndim(value.data) else float(value.data)
        )
    if value.kind == _NODE and value.key is not None and not value.key.startswith("\0"):
        return env.context.numbers(value.key)
    strings = _to_strings(env, value)
    if np.ndim(strings) == 0:
        return np.float64(parse_numbers([str(strings)], dates=True)[0])
    codes, uniques = env.factorized(value, strings)
    return parse_numbers(uniques, dates=True)[codes]


def _to_booleans(env: _Env, value: _Value) -> Any:
    if value.kind == _BOOLEAN:
        return value.data
    if value.kind == _NUMBER or value.numeric:
        return np.abs(_to_numbers(env, value)) > 1e-12
    strings = _to_strings(env, value)
    if np.ndim(strings) == 0:
        return bool(strings)
    return np.asarray(strings != "", dtype=bool)


def _as_object(data: Any) -> Any:
    return data if np.ndim(data) else np.asarray(data, dtype=object)


# ------------------------------------------------------------------ the tree
class _Node(ABC):
    @abstractmethod
    def evaluate(self, env: _Env) -> _Value:
        """The node's value for every row at once."""

    def children(self) -> Sequence[_Node]:
        return ()

    def walk(self) -> Iterator[_Node]:
        yield self
        for child in self.children():
            yield from child.walk()


@dataclass(frozen=True)
class _Literal(_Node):
    value: str | float

    def evaluate(self, env: _Env) -> _Value:
        if isinstance(self.value, str):
            return _Value(_STRING, self.value)
        return _Value(_NUMBER, np.float64(self.value))


@dataclass(frozen=True)
class _Ref(_Node):
    name: str  # "." for the current question

    def evaluate(self, env: _Env) -> _Value:
        name = env.current if self.name == "." else self.name
        return _Value(_NODE, env.context.strings(name), name, name in env.context.numeric)


@dataclass(frozen=True)
class _ChoiceColumn(_Node):
    name: str

    def evaluate(self, env: _Env) -> _Value:
        try:
            data = env.choice[self.name]
        except KeyError:
            raise _EvaluationError(f"choice column {self.name!r} was not given") from None
        return _Value(_NODE, data, "\0" + self.name)


@dataclass(frozen=True)
class _Negate(_Node):
    operand: _Node

    def evaluate(self, env: _Env) -> _Value:
        return _Value(_NUMBER, -_to_numbers(env, self.operand.evaluate(env)))

    def children(self) -> Sequence[_Node]:
        return (self.operand,)


_ORDER = {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal}
_ARITHMETIC = {"+": np.add, "-": np.subtract, "*": np.multiply, "div": np.divide, "mod": np.fmod}


@dataclass(frozen=True)
class _Binary(_Node):
    op: str
    left: _Node
    right: _Node

    def children(self) -> Sequence[_Node]:
        return (self.left, self.right)

    def evaluate(self, env: _Env) -> _Value:
        left, right = self.left.evaluate(env), self.right.evaluate(env)
        op = self.op
        if op in ("and", "or"):
            a, b = _to_booleans(env, left), _to_booleans(env, right)
            return _Value(_BOOLEAN, np.logical_and(a, b) if op == "and" else np.logical_or(a, b))
        if op in _ARITHMETIC:
            with np.errstate(all="ignore"):
                result = _ARITHMETIC[op](_to_numbers(env, left), _to_numbers(env, right))
            return _Value(_NUMBER, result)
        if op in _ORDER:
            with np.errstate(invalid="ignore"):
                result = _ORDER[op](_to_numbers(env, left), _to_numbers(env, right))
            return _Value(_BOOLEAN, result)
        # = and !=: booleans, then numbers, then strings (XPath 1.0, 3.4)
        if _BOOLEAN in (left.kind, right.kind):
            a, b = _to_booleans(env, left), _to_booleans(env, right)
        elif _NUMBER in (left.kind, right.kind) or (left.numeric and right.numeric):
            a, b = _to_numbers(env, left), _to_numbers(env, right)
        else:
            a, b = _as_object(_to_strings(env, left)), _as_object(_to_strings(env, right))
        result = np.not_equal(a, b) if op == "!=" else np.equal(a, b)
        return _Value(_BOOLEAN, np.asarray(result, dtype=bool) if np.ndim(result) else bool(result))


# ------------------------------------------------------------------ functions
_Function = Callable[[_Env, list[_Value]], _Value]


def _fn_selected(env: _Env, args: list[_Value]) -> _Value:
    def selected(answer: str, choice: str) -> bool:
        return choice.strip() in answer.split()

    return _Value(_BOOLEAN, _map_pairs(env, args[0], args[1], selected, bool))


def _fn_count_selected(env: _Env, args: list[_Value]) -> _Value:
    return _Value(_NUMBER, _map_strings(env, args[0], lambda s: len(s.split()), np.float64))


@functools.lru_cache(maxsize=256)
def _compiled_pattern(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _fn_regex(env: _Env, args: list[_Value]) -> _Value:
    pattern = _compiled_pattern(str(args[1].data))
    return _Value(
        _BOOLEAN, _map_strings(env, args[0], lambda s: pattern.fullmatch(s) is not None, bool)
    )


def _fn_if(env: _Env, args: list[_Value]) -> _Value:
    condition, then, otherwise = args
    test = _to_booleans(env, condition)
    if then.kind == otherwise.kind == _NUMBER:
        return _Value(_NUMBER, np.where(test, then.data, otherwise.data))
    if then.kind == otherwise.kind == _BOOLEAN:
        return _Value(_BOOLEAN, np.where(test, then.data, otherwise.data))
    a, b = _as_object(_to_strings(env, then)), _as_object(_to_strings(env, otherwise))
    return _Value(_STRING, np.where(test, a, b))


def _fn_coalesce(env: _Env, args: list[_Value]) -> _Value:
    first, second = args
    if first.kind == second.kind == _NUMBER:
        return _Value(_NUMBER, np.where(np.isnan(first.data), second.data, first.data))
    a, b = _as_object(_to_strings(env, first)), _as_object(_to_strings(env, second))
    return _Value(_STRING, np.where(a != "", a, b))


def _fn_concat(env: _Env, args: list[_Value]) -> _Value:
    result: Any = ""
    for arg in args:
        result = result + _as_object(_to_strings(env, arg))
    return _Value(_STRING, result)


def _string_test(test: Callable[[str, str], bool]) -> _Function:
    def function(env: _Env, args: list[_Value]) -> _Value:
        return _Value(_BOOLEAN, _map_pairs(env, args[0], args[1], test, bool))

    return function


def _fn_date(env: _Env, args: list[_Value]) -> _Value:
    """date(): strings stay ISO strings; numbers count days from 1970-01-01."""
    if args[0].kind in (_NODE, _STRING):
        return _Value(_STRING, args[0].data)
    days = np.floor(np.atleast_1d(_to_numbers(env, args[0])))
    stamps = pd.to_datetime(days, unit="D").strftime("%Y-%m-%d")
    text = np.asarray(stamps.fillna(""), dtype=object)
    return _Value(_STRING, text if np.ndim(_to_numbers(env, args[0])) else text[0])


#: name -> (minimum arguments, maximum arguments or None, implementation)
_FUNCTIONS: Final[dict[str, tuple[int, int | None, _Function]]] = {
    "true": (0, 0, lambda env, args: _Value(_BOOLEAN, True)),
    "false": (0, 0, lambda env, args: _Value(_BOOLEAN, False)),
    "not": (1, 1, lambda env, args: _Value(_BOOLEAN, np.logical_not(_to_booleans(env, args[0])))),
    "boolean": (1, 1, lambda env, args: _Value(_BOOLEAN, _to_booleans(env, args[0]))),
    "number": (1, 1, lambda env, args: _Value(_NUMBER, _to_numbers(env, args[0]))),
    "int": (1, 1, lambda env, args: _Value(_NUMBER, np.trunc(_to_numbers(env, args[0])))),
    "string": (1, 1, lambda env, args: _Value(_STRING, _to_strings(env, args[0]))),
    "string-length": (1, 1, lambda env, a: _Value(_NUMBER, _map_strings(env, a[0], len, float))),
    "selected": (2, 2, _fn_selected),
    "count-selected": (1, 1, _fn_count_selected),
    "regex": (2, 2, _fn_regex),
    "if": (3, 3, _fn_if),
    "coalesce": (2, 2, _fn_coalesce),
    "concat": (1, None, _fn_concat),
    "contains": (2, 2, _string_test(lambda a, b: b in a)),
    "starts-with": (2, 2, _string_test(lambda a, b: a.startswith(b))),
    "ends-with": (2, 2, _string_test(lambda a, b: a.endswith(b))),
    "today": (0, 0, lambda env, args: _Value(_STRING, dt.date.today().isoformat())),
    "date": (1, 1, _fn_date),
}
#: The XPath functions an expression may call.
FUNCTIONS: Final = frozenset(_FUNCTIONS)


@dataclass(frozen=True)
class _Call(_Node):
    name: str
    args: tuple[_Node, ...]

    def children(self) -> Sequence[_Node]:
        return self.args

    def evaluate(self, env: _Env) -> _Value:
        function = _FUNCTIONS[self.name][2]
        return function(env, [arg.evaluate(env) for arg in self.args])


# ------------------------------------------------------------------ parsing
_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<ref>\$\{\s*(?P<refname>[^}\s]*)\s*\})
  | (?P<string>'[^']*'|"[^"]*")
  | (?P<number>\d+(?:\.\d*)?|\.\d+)
  | (?P<op>!=|<=|>=|=|<|>|\+|-|\*|\(|\)|,)
  | (?P<dot>\.\.|\.)
  | (?P<name>[^\W\d][\w.\-]*(?::[^\W\d][\w.\-]*)?)
    """,
    re.VERBOSE,
)
_KEYWORD_OPERATORS: Final = frozenset({"and", "or", "div", "mod"})
#: Binding power of each binary operator (higher binds tighter), as in XPath 1.0.
_BINDING: Final[dict[str, int]] = {
    op: power
    for power, ops in enumerate(("or", "and", "= !=", "< <= > >=", "+ -", "* div mod"), 1)
    for op in ops.split()
}
_QUESTION_NAME = re.compile(r"[^\W\d][\w.\-]*")


@dataclass(frozen=True)
class _Token:
    kind: str  # ref, string, number, op, dot, name, end
    text: str
    position: int


class _SyntaxError(Exception):
    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.position = position


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            char = text[position]
            if char in "'\"":
                raise _SyntaxError("unterminated string", position)
            if char in "/[]|@":
                raise _SyntaxError(
                    f"{char!r}: XPath paths are not supported, use ${{name}}", position
                )
            raise _SyntaxError(f"unexpected character {char!r}", position)
        kind = match.lastgroup or ""
        if match.group("ref") is not None:
            name = match.group("refname")
            if not _QUESTION_NAME.fullmatch(name):
                raise _SyntaxError(f"bad reference ${{{name}}}", position)
            tokens.append(_Token("ref", name, position))
        elif kind == "string":
            tokens.append(_Token("string", match.group()[1:-1], position))
        elif kind == "dot" and match.group() == "..":
            raise _SyntaxError("'..' (parent paths) is not supported", position)
        elif kind != "space":
            tokens.append(_Token(kind, match.group(), position))
        position = match.end()
    tokens.append(_Token("end", "", len(text)))
    return tokens


class _Parser:
    """Precedence climbing over the token list (operators as in XPath 1.0)."""

    def __init__(self, text: str, *, choice_filter: bool) -> None:
        self.tokens = _tokenize(text)
        self.index = 0
        self.choice_filter = choice_filter

    @property
    def token(self) -> _Token:
        return self.tokens[self.index]

    def advance(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def expect(self, text: str) -> None:
        if self.token.kind != "op" or self.token.text != text:
            found = "the end" if self.token.kind == "end" else repr(self.token.text)
            raise _SyntaxError(f"expected {text!r}, found {found}", self.token.position)
        self.advance()

    def parse(self) -> _Node:
        if self.token.kind == "end":
            raise _SyntaxError("the expression is empty", 0)
        node = self.expression(0)
        if self.token.kind != "end":
            raise _SyntaxError(f"unexpected {self.token.text!r}", self.token.position)
        return node

    def _infix(self) -> str | None:
        token = self.token
        if token.kind == "op" and token.text in _BINDING:
            return token.text
        if token.kind == "name" and token.text in _KEYWORD_OPERATORS:
            return token.text
        return None

    def expression(self, minimum: int) -> _Node:
        left = self.unary()
        while (op := self._infix()) is not None and _BINDING[op] > minimum:
            self.advance()
            left = _Binary(op, left, self.expression(_BINDING[op]))
        return left

    def unary(self) -> _Node:
        if self.token.kind == "op" and self.token.text == "-":
            self.advance()
            return _Negate(self.unary())
        return self.primary()

    def primary(self) -> _Node:
        token = self.advance()
        if token.kind == "number":
            return _Literal(float(token.text))
        if token.kind == "string":
            return _Literal(token.text)
        if token.kind == "ref":
            return _Ref(token.text)
        if token.kind == "dot":
            return _Ref(".")
        if token.kind == "op" and token.text == "(":
            node = self.expression(0)
            self.expect(")")
            return node
        if token.kind == "name":
            if self.token.kind == "op" and self.token.text == "(":
                return self.call(token)
            if not self.choice_filter:
                raise _SyntaxError(
                    f"bare name {token.text!r}: refer to questions as ${{{token.text}}}",
                    token.position,
                )
            return _ChoiceColumn(token.text)
        if token.kind == "end":
            raise _SyntaxError("the expression ends too early", token.position)
        raise _SyntaxError(f"unexpected {token.text!r}", token.position)

    def call(self, name: _Token) -> _Call:
        if name.text not in _FUNCTIONS:
            raise _SyntaxError(f"unknown or unsupported function {name.text}()", name.position)
        self.expect("(")
        args: list[_Node] = []
        if not (self.token.kind == "op" and self.token.text == ")"):
            args.append(self.expression(0))
            while self.token.kind == "op" and self.token.text == ",":
                self.advance()
                args.append(self.expression(0))
        self.expect(")")
        low, high, _ = _FUNCTIONS[name.text]
        if len(args) < low or (high is not None and len(args) > high):
            wanted = (
                str(low) if low == high else f"{low} or more" if high is None else f"{low}-{high}"
            )
            raise _SyntaxError(
                f"{name.text}() takes {wanted} argument(s), got {len(args)}", name.position
            )
        if name.text == "regex":
            pattern = args[1]
            if not (isinstance(pattern, _Literal) and isinstance(pattern.value, str)):
                raise _SyntaxError("regex() needs the pattern as a quoted string", name.position)
            try:
                _compiled_pattern(pattern.value)
            except re.error as error:
                raise _SyntaxError(f"bad regular expression: {error}", name.position) from None
        return _Call(name.text, tuple(args))


# ------------------------------------------------------------------ public API
@dataclass(frozen=True)
class Expression:
    """A compiled XLSForm expression, ready to evaluate over a frame of answers."""

    text: str
    question: str
    kind: str
    _tree: _Node

    @property
    def references(self) -> frozenset[str]:
        """Questions named as ``${name}``."""
        refs = (node.name for node in self._tree.walk() if isinstance(node, _Ref))
        return frozenset(name for name in refs if name != ".")

    @property
    def choice_columns(self) -> frozenset[str]:
        """Choice-sheet columns read as bare names (``name`` in a choice_filter)."""
        return frozenset(node.name for node in self._tree.walk() if isinstance(node, _ChoiceColumn))

    def evaluate(
        self,
        data: pd.DataFrame | Context,
        current: str | None = None,
        choice_name: Sequence[str] | ObjectArray | pd.Series | None = None,
        *,
        choice_columns: Mapping[str, Sequence[str] | ObjectArray | pd.Series] | None = None,
    ) -> BoolArray:
        """The expression's truth value for every row, as XPath boolean() gives it.

        `current` is the question that ``.`` stands for (defaults to the expression's own
        question). `choice_name` gives, per row, the choice that bare ``name`` stands for;
        `choice_columns` gives other choice-sheet columns the same way.
        """
        context = data if isinstance(data, Context) else Context(data)
        given = dict(choice_columns or {})
        if choice_name is not None:
            given["name"] = choice_name
        choice: dict[str, ObjectArray] = {}
        for column, values in given.items():
            array = np.asarray(values, dtype=object)
            if array.shape != (context.size,):
                raise ValueError(f"choice column {column!r} needs one value per row")
            choice[column] = array
        env = _Env(context, current if current is not None else self.question, choice)
        try:
            value = self._tree.evaluate(env)
        except _EvaluationError as error:
            raise InstrumentError(
                f"cannot evaluate {self.kind} of question {self.question!r} "
                f"({self.text!r}): {error}",
                column=self.kind or None,
                rule="expression",
            ) from None
        result = _to_booleans(env, value)
        return np.broadcast_to(np.asarray(result, dtype=bool), (context.size,)).copy()


def compile_expression(text: str, *, question: str, kind: str = "") -> Expression:
    """Parse an XLSForm expression; errors name the question and the expression.

    `kind` is the XLSForm column it comes from (``relevant``, ``constraint``,
    ``choice_filter``); only a choice_filter may use bare choice-sheet names such as
    ``name``.
    """
    try:
        tree = _Parser(text, choice_filter=kind == "choice_filter").parse()
    except _SyntaxError as error:
        where = f"{kind} of question {question!r}" if kind else f"question {question!r}"
        raise InstrumentError(
            f"cannot read the {where}: {error} (at character {error.position + 1} of {text!r})",
            column=kind or None,
            rule="expression",
        ) from None
    return Expression(text, question, kind, tree)
