"""Row formulas: ``formula("weight / height ** 2")(df)`` compiled once, run in one fused pass.

The lecture's "domain-specific custom equations": a new column computed row by
row from others. The expression is parsed with :mod:`ast` (never ``eval``) and
checked against a small grammar: numbers, column names, ``+ - * / // % **``,
comparisons, ``& | ~``, parentheses, and the functions ``where(c, a, b)``,
``abs sqrt exp log log1p sin cos tanh minimum maximum clip isnan``.

Design: an interpreter, not a compiler per expression. For each signature (the
columns' dtypes) the expression is lowered once, in Python, to a short register
program; one cached Numba kernel
(:func:`fastnn.tabular._kernels.formula.interpreter.run_program`) runs every
program, block by block: each instruction is a loop over a block of 2,048 rows
that stays in cache and vectorises, columns are read in place and the last
instruction writes straight into the result, so a formula costs one pass over
memory, in parallel for big inputs. A Numba compile per expression would cost
0.2-1 s at its first evaluation (more under load); lowering costs well under a
millisecond (0.3-0.6 ms measured for a new expression in a warm process, on a
loaded 2-core machine), and the interpreter compiles once per machine into
Numba's disk cache, not once per expression. That compile is the price, paid
once per machine and per set of register banks the program uses (float64,
float32, float16, int64: the kernel is compiled with only those banks' code).
Measured with an empty cache on a loaded 2-core machine, process CPU time,
import included: a float64 formula about 3 s, int64 with float64 about 8.5 s.

Types follow NumPy exactly, because NumPy decides them: each operation's
result dtype and loop dtype come from the installed NumPy itself (the
operation applied to empty arrays of the operands' dtypes, and
``ufunc.resolve_dtypes``), so NEP 50's rules hold (Python numbers are weak:
``float32 * 2.5`` stays float32, ``int8 + 1`` stays int8, ``int8 + 300`` is
NumPy's ``OverflowError``), ``/`` of integers is float64, ``sqrt`` of int32 is
float64 and ``sqrt`` of int8 float16. float16 is computed as NumPy computes
it: each operation in float32, its result rounded to float16. Sub-expressions
of numbers alone are folded as Python folds them (``2 ** -1`` is ``0.5``), and
functions of numbers alone are NumPy's (a NumPy scalar, which is not weak).
Integer arithmetic wraps as NumPy's does; integer ``//`` and ``%`` by zero give
0, ``MIN // -1`` gives ``MIN``; an integer to a negative integer power raises
NumPy's ``ValueError``.

Warnings are NumPy's, under the caller's :func:`numpy.errstate` (warn,
ignore, raise ``FloatingPointError``, call, print, log): a float division by
zero, ``log(0)``, ``sqrt(-1)``, an overflow, a constant's overflowing cast
(``float16 + 1e5``), integer ``//`` and ``%`` by zero. The kernel records, per
instruction, the classes of operands that gave a non-finite result and one
example of each; NumPy's own ufunc replays those few elements after the pass,
so the category and the message ("divide by zero encountered in divide") are
NumPy's. Underflow (ignored by NumPy's default errstate) is not reported.

Dtypes: bool, int8 to int64, uint8 to uint64, float16, float32, float64.
"""

from __future__ import annotations

import ast
import functools
import operator
import warnings
from collections.abc import Mapping

import numpy as np

from fastnn import _checks
from fastnn._jit import PARALLEL_MIN_WORK, get_num_threads
from fastnn.tabular._kernels.formula import codes as _k
from fastnn.tabular._kernels.formula import floats as _k_floats
from fastnn.tabular._kernels.formula.interpreter import run_program

__all__ = ["Formula", "formula"]

KIND_DTYPES = tuple(
    np.dtype(name)
    for name in (
        "bool", "int8", "int16", "int32", "int64",
        "uint8", "uint16", "uint32", "uint64", "float32", "float64", "float16",
    )
)  # fmt: skip
_KIND = {dtype: kind for kind, dtype in enumerate(KIND_DTYPES)}
# The banks: float64, float32, float16 (as float32 values); every other kind lives in int64 (3).
_BANK = {_k.FLOAT64: 0, _k.FLOAT32: 1, _k.FLOAT16: 2}
_BANK_DTYPES = tuple(np.dtype(name) for name in ("float64", "float32", "float32", "int64"))
_COMPARISONS = {_k.LT, _k.LE, _k.GT, _k.GE, _k.EQ, _k.NE}
_MAKE_BOOL = _COMPARISONS | {_k.ISNAN, _k.WHERE}  # operations with a bool operand or result
_IN_PLACE = {_k.FLOAT64, _k.FLOAT32, _k.INT64, _k.UINT64}  # read and written without a copy

# Python operator, NumPy ufunc, opcode.
_BINARY = {
    ast.Add: ("+", operator.add, np.add, _k.ADD),
    ast.Sub: ("-", operator.sub, np.subtract, _k.SUB),
    ast.Mult: ("*", operator.mul, np.multiply, _k.MUL),
    ast.Div: ("/", operator.truediv, np.true_divide, _k.TRUEDIV),
    ast.FloorDiv: ("//", operator.floordiv, np.floor_divide, _k.FLOORDIV),
    ast.Mod: ("%", operator.mod, np.remainder, _k.MOD),
    ast.Pow: ("**", operator.pow, np.power, _k.POW),
    ast.BitAnd: ("&", operator.and_, np.bitwise_and, _k.AND),
    ast.BitOr: ("|", operator.or_, np.bitwise_or, _k.OR),
}
_COMPARE = {
    ast.Lt: ("<", operator.lt, np.less, _k.LT),
    ast.LtE: ("<=", operator.le, np.less_equal, _k.LE),
    ast.Gt: (">", operator.gt, np.greater, _k.GT),
    ast.GtE: (">=", operator.ge, np.greater_equal, _k.GE),
    ast.Eq: ("==", operator.eq, np.equal, _k.EQ),
    ast.NotEq: ("!=", operator.ne, np.not_equal, _k.NE),
}
_UNARY = {
    ast.USub: ("-", operator.neg, np.negative, _k.NEG),
    ast.UAdd: ("+", operator.pos, np.positive, _k.COPY),
    ast.Invert: ("~", operator.invert, np.invert, _k.INVERT),
}
# name: (NumPy function, number of arguments, opcode)
FUNCTIONS = {
    "abs": (np.absolute, 1, _k.ABS),
    "sqrt": (np.sqrt, 1, _k.SQRT),
    "exp": (np.exp, 1, _k.EXP),
    "log": (np.log, 1, _k.LOG),
    "log1p": (np.log1p, 1, _k.LOG1P),
    "sin": (np.sin, 1, _k.SIN),
    "cos": (np.cos, 1, _k.COS),
    "tanh": (np.tanh, 1, _k.TANH),
    "isnan": (np.isnan, 1, _k.ISNAN),
    "minimum": (np.minimum, 2, _k.MINIMUM),
    "maximum": (np.maximum, 2, _k.MAXIMUM),
    "clip": (np.clip, 3, None),
    "where": (np.where, 3, _k.WHERE),
}


def _piece(node):
    return ast.unparse(node)


def parse(expression):
    """Return the checked :mod:`ast` tree of ``expression`` and its column names (first seen)."""
    if not isinstance(expression, str):
        raise TypeError(f"expression must be a str, got {type(expression).__name__}")
    try:
        tree = ast.parse(expression.strip(), mode="eval").body
    except SyntaxError as error:
        raise ValueError(f"expression {expression!r} is not valid syntax: {error.msg}") from None
    columns = []
    _check(tree, columns, expression)
    return tree, tuple(columns)


def _check(node, columns, expression):
    def refuse(what):
        raise ValueError(
            f"expression {expression!r}: {what} {_piece(node)!r} is not allowed (formulas take "
            f"numbers, column names, + - * / // % **, comparisons, & | ~ and the functions "
            f"{', '.join(FUNCTIONS)})"
        )

    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            refuse("the constant")
    elif isinstance(node, ast.Name):
        if node.id not in columns:
            columns.append(node.id)
    elif isinstance(node, ast.BinOp):
        if type(node.op) not in _BINARY:
            refuse("the operator in")
        _check(node.left, columns, expression)
        _check(node.right, columns, expression)
    elif isinstance(node, ast.UnaryOp):
        if type(node.op) not in _UNARY:
            refuse("the operator in")  # `not`: write ~
        _check(node.operand, columns, expression)
    elif isinstance(node, ast.Compare):
        if len(node.ops) != 1:
            refuse("the chained comparison (write (a < b) & (b < c))")
        _check(node.left, columns, expression)
        _check(node.comparators[0], columns, expression)
    elif isinstance(node, ast.Call):
        if isinstance(node.func, ast.Attribute):
            refuse("the attribute access in")
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name not in FUNCTIONS:
            refuse("the call")
        if node.keywords or any(isinstance(arg, ast.Starred) for arg in node.args):
            refuse("keyword or starred arguments in")
        if len(node.args) != FUNCTIONS[name][1]:
            refuse(f"{name} takes {FUNCTIONS[name][1]} argument(s):")
        for arg in node.args:
            _check(arg, columns, expression)
    elif isinstance(node, ast.BoolOp):
        refuse("`and`/`or` (write & and |) in")
    elif isinstance(node, ast.Attribute):
        refuse("the attribute access")
    elif isinstance(node, ast.Subscript):
        refuse("the subscript")
    elif isinstance(node, ast.Lambda):
        refuse("the lambda")
    else:
        refuse(f"the {type(node).__name__}")


class _Value:
    """A lowered sub-expression: a constant (``value``) or a register or column (``ref``)."""

    __slots__ = ("const", "kind", "ref", "temporary", "value")

    def __init__(self, *, value=None, ref=None, kind=None, temporary=False):
        self.const = ref is None
        self.value, self.ref, self.kind, self.temporary = value, ref, kind, temporary

    def prototype(self):
        return self.value if self.const else np.empty(0, KIND_DTYPES[self.kind])


class Program:
    """A formula lowered for one signature: instructions, constants, register counts."""

    def __init__(self, columns, kinds):
        self.columns, self.kinds = columns, kinds
        self.instructions, self.fconst, self.iconst = [], [], []
        self.registers = [0, 0, 0, 0]
        self._free = ([], [], [], [])
        # NumPy calls on numbers alone that raise floating-point flags (a
        # constant's cast to float16, sqrt(-1)): (instruction index, function,
        # arguments), replayed at each evaluation as NumPy would raise them.
        self.events = []

    def allocate(self, kind):
        bank = _BANK.get(kind, 3)
        if self._free[bank]:
            return self._free[bank].pop()
        self.registers[bank] += 1
        return self.registers[bank] - 1

    def release(self, *values):
        for value in values:
            if value.temporary:
                self._free[_BANK.get(value.kind, 3)].append(value.ref)
                value.temporary = False

    def emit(self, op, kind, dst, a=0, b=0, c=0, aux=0):
        self.instructions.append((op, kind, dst, a, b, c, aux))

    def column(self, name):
        slot = self.columns.index(name)
        kind = self.kinds[slot]
        if kind in _IN_PLACE:
            return _Value(ref=-1 - slot, kind=kind)
        dst = self.allocate(kind)
        self.emit(_k.LOAD, kind, dst, -1 - slot)
        return _Value(ref=dst, kind=kind, temporary=True)

    def constant(self, value, kind, *, clamp=False):
        # A constant operand becomes a register filled once per chunk, never reused.
        dtype = KIND_DTYPES[kind]
        if clamp and dtype.kind in "iu" and isinstance(value, int):
            info = np.iinfo(dtype)
            value = min(max(value, int(info.min)), int(info.max))
        with np.errstate(all="ignore"):
            typed = np.asarray(value).astype(dtype)
        if dtype.kind == "f" and not np.isfinite(typed) and np.isfinite(value):
            # NumPy's "overflow encountered in cast", raised at each evaluation
            self.events.append(
                (len(self.instructions), np.ndarray.astype, (np.asarray(value), dtype))
            )
        if dtype.kind == "f":
            index, self.fconst = len(self.fconst), [*self.fconst, float(typed)]
        else:
            bits = typed.astype(np.uint64).view(np.int64) if dtype == np.uint64 else typed
            index, self.iconst = len(self.iconst), [*self.iconst, int(bits.astype(np.int64))]
        bank = _BANK.get(kind, 3)
        self.registers[bank] += 1
        dst = self.registers[bank] - 1
        self.emit(_k.CONST, kind, dst, index)
        return _Value(ref=dst, kind=kind)

    def cast(self, value, kind, *, clamp=False):
        """``value`` as an operand of kind ``kind`` (NumPy's promotion cast)."""
        if value.const:
            return self.constant(value.value, kind, clamp=clamp)
        if value.kind == kind:
            return value
        dst = self.allocate(kind)
        self.emit(_k.CAST, kind, dst, value.ref, aux=value.kind)
        self.release(value)
        return _Value(ref=dst, kind=kind, temporary=True)

    def result(self, op, kind, operands, *, out_kind=None, aux=0):
        """Emit ``op`` (loop kind ``kind``) on ``operands``; the value of kind ``out_kind``."""
        out_kind = kind if out_kind is None else out_kind
        refs = [operand.ref for operand in operands] + [0, 0]
        # The result never overwrites an operand: the status check of a float
        # instruction reads its operands after the result is written.
        dst = self.allocate(out_kind)
        self.release(*operands)
        self.emit(op, kind, dst, refs[0], refs[1], refs[2], aux)
        return _Value(ref=dst, kind=out_kind, temporary=True)


def _kind(dtype, node, expression):
    dtype = np.dtype(dtype)
    if dtype not in _KIND:
        raise TypeError(
            f"expression {expression!r}: {_piece(node)!r} would be computed in {dtype} "
            f"(NumPy's rule for these inputs), which formulas do not support; cast the "
            f"columns to float32 or float64"
        )
    return _KIND[dtype]


def _weak(prototype):
    if isinstance(prototype, np.ndarray | np.generic):
        return prototype.dtype
    if isinstance(prototype, bool):  # a folded comparison: bool is the lowest kind either way
        return np.dtype(bool)
    return type(prototype)  # Python int and float: NEP 50's weak scalars


_ERRORS = (ZeroDivisionError, OverflowError, TypeError, ValueError)  # most specific first


def _numpy_result(function, prototypes, node, expression):
    # What NumPy itself gives for these operand dtypes (and constant values).
    try:
        with np.errstate(all="ignore"):
            return function(*prototypes)
    except _ERRORS as error:
        base = next(kind for kind in _ERRORS if isinstance(error, kind))  # NumPy's subclasses
        raise base(f"expression {expression!r}: {_piece(node)!r}: {error}") from None


def _lower(node, program, expression):
    if isinstance(node, ast.Constant):
        return _Value(value=node.value)
    if isinstance(node, ast.Name):
        return program.column(node.id)
    if isinstance(node, ast.BinOp):
        _, python_op, ufunc, op = _BINARY[type(node.op)]
        return _apply(node, ufunc, python_op, op, [node.left, node.right], program, expression)
    if isinstance(node, ast.Compare):
        _, python_op, ufunc, op = _COMPARE[type(node.ops[0])]
        operands = [node.left, node.comparators[0]]
        return _apply(node, ufunc, python_op, op, operands, program, expression)
    if isinstance(node, ast.UnaryOp):
        _, python_op, ufunc, op = _UNARY[type(node.op)]
        return _apply(node, ufunc, python_op, op, [node.operand], program, expression)
    function, _, op = FUNCTIONS[node.func.id]
    return _apply(node, function, function, op, node.args, program, expression)


def _apply(node, function, python_op, op, children, program, expression):
    values = [_lower(child, program, expression) for child in children]
    prototypes = [value.prototype() for value in values]
    if all(value.const for value in values):  # numbers alone: folded as Python (or NumPy) does
        folded = _numpy_result(python_op, prototypes, node, expression)
        with warnings.catch_warnings(record=True) as caught, np.errstate(all="warn"):
            warnings.simplefilter("always")
            python_op(*prototypes)
        if any(issubclass(warning.category, RuntimeWarning) for warning in caught):
            program.events.append((len(program.instructions), python_op, tuple(prototypes)))
        return _Value(value=folded)
    out = _numpy_result(function, prototypes, node, expression)
    kind = _kind(out.dtype, node, expression)
    if function is np.where:
        a, b = (program.cast(value, kind) for value in values[1:])
        return program.result(_k.WHERE, kind, [a, b, program.cast(values[0], _k.BOOL)])
    if function is np.clip:  # clip(x, lo, hi) = minimum(maximum(x, lo), hi), as NumPy defines it
        x, lo, hi = (program.cast(value, kind, clamp=True) for value in values)
        return program.result(_k.MINIMUM, kind, [program.result(_k.MAXIMUM, kind, [x, lo]), hi])
    loops = function.resolve_dtypes((*(_weak(p) for p in prototypes), None))
    loop_kinds = [_kind(loop, node, expression) for loop in loops[:-1]]
    if _kind(loops[-1], node, expression) != kind:
        raise AssertionError(f"{_piece(node)}: NumPy's loop {loops} does not give {out.dtype}")
    if op in _COMPARISONS:
        return _compare(node, function, op, values, loops, loop_kinds, program)
    if op == _k.POW and values[1].const and KIND_DTYPES[kind].kind == "f":
        # NumPy's power loop takes a scalar exponent of 2, 0.5 or -1 as square,
        # sqrt and reciprocal (sqrt(-0.0) is -0.0, where pow gives +0.0).
        special = {2: _k.SQUARE, 0.5: _k.SQRT, -1: _k.RECIPROCAL}.get(float(values[1].value))
        if special is not None:
            return program.result(special, kind, [program.cast(values[0], kind)])
    if loop_kinds[0] == _k.BOOL:  # NumPy's bool loops: + is `or`, * is `and`
        op = {_k.ADD: _k.OR, _k.MUL: _k.AND}.get(op, op)
    operands = [program.cast(v, k) for v, k in zip(values, loop_kinds, strict=True)]
    return program.result(op, loop_kinds[0], operands, out_kind=kind)


def _compare(node, function, op, values, loops, loop_kinds, program):
    for value, other, loop in ((values[0], values[1], loops[0]), (values[1], values[0], loops[1])):
        if loop.kind in "iu" and value.const and isinstance(value.value, int):
            info = np.iinfo(loop)
            if not int(info.min) <= value.value <= int(info.max):
                # An out-of-range Python integer: NumPy 2 compares exactly, so
                # the answer is the same for every value of the other operand.
                sample = np.array([info.min, info.max], loop)
                pair = (sample, value.value) if value is values[1] else (value.value, sample)
                program.release(other)
                return program.constant(bool(function(*pair)[0]), _k.BOOL)
    operands = [program.cast(v, k) for v, k in zip(values, loop_kinds, strict=True)]
    return program.result(op, loop_kinds[0], operands, out_kind=_k.BOOL, aux=loop_kinds[1])


@functools.lru_cache(maxsize=512)
def _program(expression, columns, kinds):
    tree, _ = parse(expression)
    program = Program(columns, kinds)
    root = _lower(tree, program, expression)
    out_slot = len(columns)
    if root.const:
        raise ValueError(f"expression {expression!r} uses no column")
    kind = root.kind
    last = program.instructions[-1] if program.instructions else None
    if kind in _IN_PLACE:
        if root.temporary and last is not None and last[2] == root.ref and last[0] != _k.CONST:
            program.instructions[-1] = (last[0], last[1], -1 - out_slot, *last[3:])
        else:
            program.emit(_k.COPY, kind, -1 - out_slot, root.ref)
    else:
        program.emit(_k.STORE, kind, 0, root.ref, aux=out_slot)
    program.table = np.array(program.instructions, np.int64).reshape(-1, 7)
    program.fconst = np.array(program.fconst, np.float64)
    program.iconst = np.array(program.iconst, np.int64)
    program.out_dtype = KIND_DTYPES[kind]
    # The banks the program touches; the others are passed as None, so that
    # the interpreter compiles only these banks' code (see the kernels' notes).
    touched = {*kinds, kind, *(ins[1] for ins in program.instructions)}
    touched |= {ins[6] for ins in program.instructions if ins[0] == _k.CAST}
    if any(
        ins[0] in _COMPARISONS or ins[0] in (_k.ISNAN, _k.WHERE) for ins in program.instructions
    ):
        touched.add(_k.BOOL)
    program.banks = tuple(
        any(_BANK.get(k, 3) == bank for k in touched) or program.registers[bank] > 0
        for bank in range(4)
    )
    program.registers = np.maximum(np.array(program.registers, np.int64), 1)
    return program


def _as_column(value, name):
    _checks._reject_masked(value, name)
    array = np.asarray(value)
    if array.ndim != 1:
        raise ValueError(f"column {name!r} must be 1-D, got shape {array.shape}")
    if array.dtype.kind not in "biuf":
        raise TypeError(f"column {name!r} must hold numbers or booleans, got {array.dtype} dtype")
    if not array.dtype.isnative:
        array = array.astype(array.dtype.newbyteorder("="))
    if array.dtype not in _KIND:
        raise TypeError(
            f"column {name!r} has dtype {array.dtype}; formulas take bool, int8-int64, "
            f"uint8-uint64, float16, float32 and float64 (cast it first)"
        )
    return np.ascontiguousarray(array)


_REPLAY = {
    (_k.FLOORDIV, _k.DIVIDE): (np.floor_divide, 1, 0),
    (_k.FLOORDIV, _k.OVERFLOW): (np.floor_divide, None, -1),
    (_k.MOD, _k.DIVIDE): (np.remainder, 1, 0),
}
# The ufunc NumPy runs for each float opcode (`x ** 2` is its square, `x ** -1` its reciprocal).
_UFUNCS = {
    _k.ADD: np.add, _k.SUB: np.subtract, _k.MUL: np.multiply, _k.TRUEDIV: np.divide,
    _k.FLOORDIV: np.floor_divide, _k.MOD: np.remainder, _k.POW: np.power, _k.SQRT: np.sqrt,
    _k.EXP: np.exp, _k.LOG: np.log, _k.LOG1P: np.log1p, _k.SIN: np.sin, _k.COS: np.cos,
    _k.TANH: np.tanh, _k.SQUARE: np.square, _k.RECIPROCAL: np.reciprocal,
}  # fmt: skip


def _integer_event(op, kind, bits):
    # Two elements on which NumPy's own loop raises the integer instruction's flags.
    dtype = KIND_DTYPES[kind]
    a, b = [], []
    for flag in (_k.DIVIDE, _k.OVERFLOW):
        if bits & flag:
            function, x, y = _REPLAY[(op, flag)]
            a.append(np.iinfo(dtype).min if x is None else x)
            b.append(y)
    return function, (np.array(a, dtype), np.array(b, dtype))


def _float_event(op, kind, column, samples):
    # One operand pair per class of non-finite result seen (see the kernels'
    # floats module), from a chunk that saw it: NumPy's ufunc on them raises
    # the flags the instruction raised.
    bits = np.bitwise_or.reduce(column)
    classes = [c for c in range(_k_floats.N_CLASSES) if bits >> c & 1]
    chunks = [int(np.argmax(column >> c & 1)) for c in classes]
    pairs = samples[chunks, classes]
    with np.errstate(all="ignore"):
        operands = tuple(pairs[:, i].astype(KIND_DTYPES[kind]) for i in range(_UFUNCS[op].nin))
    return _UFUNCS[op], operands


def _raise_flags(program, flags, samples):
    # Replay each flagged instruction's event (and the constants' events, in
    # program order) on a few NumPy elements, so that NumPy itself warns,
    # raises or calls back as np.errstate says.
    if not program.events and not flags.any():
        return
    events = list(program.events)
    seen = np.bitwise_or.reduce(flags, axis=0) if flags.shape[0] else flags.sum(axis=0)
    for p, ((op, kind, *_), bits) in enumerate(zip(program.instructions, seen, strict=True)):
        if not bits:
            continue
        if KIND_DTYPES[kind].kind == "f":
            events.append((p + 0.5, *_float_event(op, kind, flags[:, p], samples[:, p])))
        elif bits & _k.NEGATIVE_POWER:
            events.append((p + 0.5, _negative_power, ()))
        else:
            events.append((p + 0.5, *_integer_event(op, kind, bits)))
    for _, function, args in sorted(events, key=lambda event: event[0]):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            function(*args)
        for warning in caught:  # re-issued at the caller's line, as NumPy's would be
            warnings.warn(warning.message, warning.category, stacklevel=4)


def _negative_power():
    raise ValueError("Integers to negative integer powers are not allowed.")


class Formula:
    """A row formula compiled from an expression; call it on columns to evaluate it.

    Use :func:`formula` to make one. ``columns`` lists the column names the
    expression reads, in first-seen order.
    """

    def __init__(self, expression):
        self.expression = expression
        _, self.columns = parse(expression)

    def __repr__(self):
        return f"formula({self.expression!r})"

    def __reduce__(self):
        return (formula, (self.expression,))

    def __eq__(self, other):
        return isinstance(other, Formula) and other.expression == self.expression

    def __hash__(self):
        return hash(self.expression)

    def __call__(self, data=None, /, **columns):
        """Return the formula evaluated on every row: a 1-D NumPy array of NumPy's result dtype.

        Parameters
        ----------
        data : mapping or DataFrame, optional
            Columns by name: a dict of arrays, a pandas or polars DataFrame
            (nulls in numeric columns become NaN, as float64).
        **columns : array_like
            Columns by keyword, instead of ``data``.
        """
        if data is not None and columns:
            raise TypeError("pass the columns either as one mapping/DataFrame or as keywords")
        if data is None:
            source = columns
        elif isinstance(data, Mapping):
            source = data
        else:
            from fastnn.tabular import _frames

            source = _frames.numeric_columns(data, self.columns, "data")
        missing = [name for name in self.columns if name not in source]
        if missing:
            raise ValueError(
                f"formula {self.expression!r} needs column(s) {missing}, "
                f"got {sorted(map(str, source))}"
            )
        arrays = [_as_column(source[name], name) for name in self.columns]
        n = arrays[0].shape[0] if arrays else 0
        for name, array in zip(self.columns, arrays, strict=True):
            if array.shape[0] != n:
                raise ValueError(
                    f"columns must have one length: {self.columns[0]!r} has {n} rows, "
                    f"{name!r} has {array.shape[0]}"
                )
        kinds = tuple(_KIND[array.dtype] for array in arrays)
        program = _program(self.expression, self.columns, kinds)
        return evaluate(program, arrays, n)


def evaluate(program, arrays, n, *, n_chunks=None, twin=None, banks=None):
    """Run ``program`` on the checked column ``arrays`` (``n`` rows each); the result array.

    ``n_chunks``, ``twin`` (``"serial"`` or ``"parallel"``) and ``banks``
    (which banks to pass, a superset of the program's) override the choices
    made from the size and the program, for tests.
    """
    out = np.empty(n, program.out_dtype)
    addresses = np.array([a.__array_interface__["data"][0] for a in (*arrays, out)], np.int64)
    work = n * len(program.instructions)
    if n_chunks is None:
        n_chunks = get_num_threads() if work >= PARALLEL_MIN_WORK else 1
    flags = np.zeros((n_chunks, len(program.instructions)), np.int64)
    samples = np.empty((n_chunks, len(program.instructions), _k_floats.N_CLASSES, 2))
    if n:
        width = min(n, _k.BLOCK)
        floats, singles, halves, ints = (
            np.empty((n_chunks, count, width), dtype) if used else None
            for used, count, dtype in zip(
                program.banks if banks is None else banks,
                program.registers,
                _BANK_DTYPES,
                strict=True,
            )
        )
        args = (program.table, program.fconst, program.iconst, addresses, n, n_chunks)
        args += (floats, singles, halves, ints, flags, samples)
        if twin is None:
            run_program(*args, work=work)
        else:
            getattr(run_program, twin)(*args)
    _raise_flags(program, flags, samples)
    return out


def formula(expression):
    """Return the compiled row formula of ``expression``, a callable on columns.

    Parameters
    ----------
    expression : str
        Numbers, column names, ``+ - * / // % **``, comparisons
        (``< <= > >= == !=``), ``& | ~``, parentheses, and the functions
        ``where(c, a, b)``, ``abs``, ``sqrt``, ``exp``, ``log``, ``log1p``,
        ``sin``, ``cos``, ``tanh``, ``minimum(a, b)``, ``maximum(a, b)``,
        ``clip(x, lo, hi)``, ``isnan``. Nothing else (attribute access,
        other calls, subscripts, lambdas, ``and``/``or``) is accepted.

    Returns
    -------
    Formula
        Call it with a mapping or a pandas/polars DataFrame of columns, or with
        the columns as keywords: ``formula("weight / height ** 2")(weight=w,
        height=h)``. The result is NumPy's: the value and dtype of the same
        expression written with NumPy arrays and NumPy's functions.

    Raises
    ------
    ValueError
        The expression is not valid syntax or uses something outside the
        grammar (the message quotes the piece).

    Notes
    -----
    A custom equation of the domain, evaluated per row :math:`i`:
    :math:`y_i = f(x_{i1}, \\dots, x_{ik})`, e.g. the body-mass index
    :math:`w_i / h_i^2`. Each distinct expression and column-dtype signature is
    lowered once to a register program, which one cached kernel runs over
    blocks of rows (see the module notes).

    Examples
    --------
    >>> import numpy as np
    >>> from fastnn.tabular import formula
    >>> bmi = formula("weight / height ** 2")
    >>> bmi(weight=np.array([60.0, 90.0]), height=np.array([1.5, 2.0]))
    array([26.66666667, 22.5       ])
    >>> formula("where(x > 1, x, 0)")({"x": np.array([1, 2, 3], np.int8)})
    array([0, 2, 3], dtype=int8)
    """
    return Formula(expression)
