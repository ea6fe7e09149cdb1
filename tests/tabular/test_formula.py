"""fastnn.tabular.formula (in fastnn.tabular.formulas) against NumPy: values, dtypes, warnings."""

import ast
import pickle
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fastnn.tabular import formula, reference
from fastnn.tabular import formulas as formula_module
from fastnn.testing import assert_ulp_close

pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")
DTYPES = [
    np.bool_, np.int8, np.int16, np.int32, np.int64,
    np.uint8, np.uint16, np.uint32, np.uint64, np.float16, np.float32, np.float64,
]  # fmt: skip
SPECIAL = {
    "f": [0.0, -0.0, 1.0, -1.0, 0.5, 2.0, -2.5, 1e300, -1e-300, np.inf, -np.inf, np.nan],
    "i": [0, 1, -1, 2, 3, -7],
    "u": [0, 1, 2, 3, 7],
}


def _column(rng, dtype, n):
    dtype = np.dtype(dtype)
    if dtype.kind == "b":
        return rng.random(n) < 0.5
    if dtype.kind == "f":
        with np.errstate(over="ignore"):  # 1e300 is inf in float32 and float16
            pool = np.array(SPECIAL["f"] + list(rng.standard_normal(8) * 10)).astype(dtype)
    else:
        info = np.iinfo(dtype)
        extremes = [int(info.min), int(info.max), int(info.max) // 2]
        pool = np.array(SPECIAL[dtype.kind] + extremes, dtype)
    return rng.choice(pool, n)


def _same(result, expected, *, zero_sign=True):
    """Bit-identical up to the NaN payload: dtype, values, the sign of zeros."""
    assert result.dtype == expected.dtype, (result.dtype, expected.dtype)
    assert result.shape == expected.shape
    if result.dtype.kind == "f":
        nan = np.isnan(expected)
        assert np.array_equal(np.isnan(result), nan)
        assert np.array_equal(result[~nan], expected[~nan])
        if zero_sign:
            assert np.array_equal(np.signbit(result[~nan]), np.signbit(expected[~nan]))
    else:
        assert np.array_equal(result, expected)


ERRORS = (ZeroDivisionError, OverflowError, TypeError, ValueError)


def _messages(caught):
    return sorted({str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)})


def _outcome(function, columns):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            return function(columns), None, caught
        except ERRORS as error:
            return None, error, caught


# Expressions of correctly rounded operations: fastnn must equal NumPy bit for bit.
NAMES = ["a", "b", "c"]
_leaf = st.one_of(
    st.sampled_from(NAMES),
    st.sampled_from(["0", "1", "2", "3", "-1", "0.5", "2.5", "-0.0", "300", "1e20", "7"]),
)


def _extend(inner):
    binary = st.sampled_from(["+", "-", "*", "/", "//", "%", "**", "&", "|"])
    compare = st.sampled_from(["<", "<=", ">", ">=", "==", "!="])
    unary = st.sampled_from(["-", "~", "+"])
    function1 = st.sampled_from(["abs", "sqrt", "isnan"])
    function2 = st.sampled_from(["minimum", "maximum"])
    return st.one_of(
        st.tuples(inner, binary, inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(inner, compare, inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(unary, inner).map(lambda t: f"({t[0]}{t[1]})"),
        st.tuples(function1, inner).map(lambda t: f"{t[0]}({t[1]})"),
        st.tuples(function2, inner, inner).map(lambda t: f"{t[0]}({t[1]}, {t[2]})"),
        st.tuples(inner, inner, inner).map(lambda t: f"where({t[0]}, {t[1]}, {t[2]})"),
        st.tuples(inner, inner, inner).map(lambda t: f"clip({t[0]}, {t[1]}, {t[2]})"),
    )


EXPRESSIONS = st.recursive(_leaf, _extend, max_leaves=6).filter(
    lambda e: any(getattr(node, "id", None) in NAMES for node in ast.walk(ast.parse(e)))
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    expression=EXPRESSIONS,
    dtypes=st.tuples(*[st.sampled_from(DTYPES)] * 3),
    n=st.sampled_from([0, 1, 5, 37]),
    seed=st.integers(0, 2**16),
)
def test_random_expressions_equal_numpy_bit_for_bit(expression, dtypes, n, seed):
    rng = np.random.default_rng(seed)
    columns = {name: _column(rng, dtype, n) for name, dtype in zip(NAMES, dtypes, strict=True)}
    before = {name: column.copy() for name, column in columns.items()}
    expected, expected_error, expected_warnings = _outcome(reference.formula(expression), columns)
    result, error, warned = _outcome(formula(expression), columns)
    for name in NAMES:
        np.testing.assert_array_equal(columns[name], before[name])  # inputs untouched
    if expected is not None and np.asarray(expected).dtype.kind == "c":
        assert isinstance(error, TypeError)  # a complex constant such as (-1) ** 0.5
        return
    if expected_error is not None:
        base = next(k for k in ERRORS if isinstance(expected_error, k))
        assert isinstance(error, base), (expression, dtypes, error, expected_error)
        return
    assert error is None, (expression, dtypes, error)
    # NumPy's floating-point and integer warnings, each kind once per operation
    assert _messages(warned) == _messages(expected_warnings), expression
    expected = np.asarray(expected)
    if "**" in expression and expected.dtype.kind == "f":
        # Float ** is the platform's pow: NumPy's SIMD loop (SVML on AVX-512)
        # and libm can differ in the last place, e.g. 2147483647.0 ** 2.5.
        assert result.dtype == expected.dtype
        assert_ulp_close(result, expected, ulps=4, err_msg=expression)
        return
    # NumPy's own clip gives 0.0 or -0.0 for a tie of signed zeros depending on
    # the length (its scalar or its SIMD loop): clip(0.0, 0, -0.0) is 0.0 for
    # one element and -0.0 for 17; only the sign of such zeros is left free.
    _same(result, expected, zero_sign="clip" not in expression)


def _ulps(result, expected):
    spacing = np.spacing(np.abs(expected).astype(expected.dtype))
    return np.abs(result.astype(np.float64) - expected.astype(np.float64)) / spacing


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize(
    "expression",
    ["exp(a)", "log(abs(a))", "log1p(abs(a))", "sin(a)", "cos(a)", "tanh(a)", "a ** b",
     "exp(a) * b + sin(b)", "log(abs(a) + 1) - tanh(b)"],
)  # fmt: skip
def test_libm_functions_within_a_few_ulps_of_numpy(expression, dtype):
    # NumPy's SIMD exp/log/sin differ from the C library's by an ulp or two.
    rng = np.random.default_rng(1)
    columns = {"a": (rng.standard_normal(2000) * 5).astype(dtype)}
    columns["b"] = (rng.standard_normal(2000) * 2).astype(dtype)
    columns["a"][:6] = [0, -0.0, np.inf, -np.inf, np.nan, 1]
    with np.errstate(all="ignore"):
        expected = reference.formula(expression)(columns)
        result = formula(expression)(columns)
    assert result.dtype == expected.dtype == dtype
    np.testing.assert_array_equal(np.isnan(result), np.isnan(expected))
    finite = np.isfinite(expected) & (expected != 0)
    np.testing.assert_array_equal(
        result[~finite & ~np.isnan(expected)], expected[~finite & ~np.isnan(expected)]
    )
    if " " in expression:  # composed: the libm ulps of the terms, at the terms' scale
        scale = 16 * np.finfo(dtype).eps * max(1.0, float(np.abs(expected[finite]).max()))
        np.testing.assert_allclose(result[finite], expected[finite], rtol=0, atol=scale * 64)
    else:
        assert _ulps(result[finite], expected[finite]).max() <= 4


@pytest.mark.parametrize(
    ("expression", "columns", "dtype"),
    [
        ("a * 2.5", {"a": np.ones(3, np.float32)}, np.float32),  # weak Python float
        ("a * sqrt(4)", {"a": np.ones(3, np.float32)}, np.float64),  # NumPy scalar: strong
        ("a + 1", {"a": np.ones(3, np.int8)}, np.int8),
        ("a / b", {"a": np.ones(3, np.int8), "b": np.ones(3, np.int8)}, np.float64),
        ("a ** -2.0", {"a": np.arange(1, 4)}, np.float64),  # numexpr gives 0
        ("a + b", {"a": np.ones(3, np.int64), "b": np.ones(3, np.uint64)}, np.float64),
        ("a + 1", {"a": np.ones(3, bool)}, np.int64),
        ("a + b", {"a": np.ones(3, bool), "b": np.ones(3, bool)}, np.bool_),
        ("a < 300", {"a": np.arange(3, dtype=np.uint8)}, np.bool_),
        ("sqrt(a)", {"a": np.arange(3, dtype=np.int16)}, np.float32),
        ("sqrt(a)", {"a": np.arange(3, dtype=np.int8)}, np.float16),  # NumPy's 'e' loop
        ("a * 2.5", {"a": np.ones(3, np.float16)}, np.float16),
        ("a + b", {"a": np.ones(3, np.float16), "b": np.ones(3, np.uint8)}, np.float16),
        ("a + b", {"a": np.ones(3, np.float16), "b": np.ones(3, np.int16)}, np.float32),
        ("a / b", {"a": np.ones(3, np.float16), "b": np.ones(3, np.float32)}, np.float32),
        ("a - b", {"a": np.ones(3, np.float16), "b": np.ones(3)}, np.float64),
        ("a > 1", {"a": np.ones(3, np.float16)}, np.bool_),
    ],
)
def test_numpy_promotion(expression, columns, dtype):
    result = formula(expression)(columns)
    expected = reference.formula(expression)(columns)
    assert result.dtype == expected.dtype == dtype
    _same(result, expected)


def test_integer_division_by_zero_warns_as_numpy():
    a, b = np.array([7, -128, 3], np.int8), np.array([0, -1, 2], np.int8)
    with pytest.warns(RuntimeWarning, match="divide by zero encountered in floor_divide") as w:
        result = formula("a // b")(a=a, b=b)
    assert w[0].filename == __file__  # at the caller's line, as NumPy's warning would be
    np.testing.assert_array_equal(result, np.array([0, -128, 1], np.int8))
    with pytest.warns(RuntimeWarning, match="overflow encountered in floor_divide"):
        formula("a // b")(a=a, b=b)
    with pytest.warns(RuntimeWarning, match="divide by zero encountered in remainder"):
        np.testing.assert_array_equal(formula("a % b")(a=a, b=b), [0, 0, 1])
    with np.errstate(divide="raise"), pytest.raises(FloatingPointError):
        formula("a // b")(a=a, b=b)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("error")
        formula("a // b")(a=a, b=b)


FLOAT_CASES = {
    "a": [1.0, 0.0, -1.0, 1e300, np.inf, -np.inf, np.nan, 60000.0, -0.0, 3.0],
    "b": [0.0, 0.0, 2.0, 1e-300, np.inf, 1.0, 0.0, 2.0, 0.0, -np.inf],
}


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize(
    "expression",
    ["a / b", "log(a)", "log1p(a)", "sqrt(a) + 1", "a * b * 1e300", "a // b", "a % b", "a ** 2",
     "a ** -1", "a ** b", "exp(a) - b", "a + 1e5", "sqrt(-1) + a", "sin(a) * cos(b)",
     "tanh(a) + a - b", "where(a > 0, a / b, log(b))", "maximum(a, b) + abs(a)", "-a + b"],
)  # fmt: skip
@pytest.mark.parametrize("mode", ["warn", "raise", "call", "ignore"])
def test_float_warnings_as_numpy_under_each_errstate(expression, dtype, mode):
    with np.errstate(over="ignore"):
        columns = {name: np.array(values).astype(dtype) for name, values in FLOAT_CASES.items()}

    def run(function):
        calls = []
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with np.errstate(all=mode, call=lambda kind, flag: calls.append(kind)):
                if dtype == np.float16 and "** -1" in expression:
                    np.seterr(under="ignore")  # NumPy's reciprocal of 60000 underflows
                try:
                    function(columns)
                except FloatingPointError as error:
                    return str(error), [], calls
        return None, [(w.category, str(w.message)) for w in caught], calls

    assert run(formula(expression)) == run(reference.formula(expression))


def test_float_warnings_at_the_callers_line_and_only_where_flags_are_raised():
    a, b = np.array([1.0, 0.0, 2.0]), np.array([0.0, 0.0, 1.0])
    with pytest.warns(RuntimeWarning, match="divide by zero encountered in divide") as caught:
        formula("a / b")(a=a, b=b)
    assert {w.filename for w in caught} == {__file__}
    assert {str(w.message) for w in caught} == {
        "divide by zero encountered in divide", "invalid value encountered in divide"
    }  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # none of these raises a flag in NumPy
        formula("a / (b + 1) + sqrt(a) - log1p(a) + a ** 2")(a=a, b=b)
        formula("where(b > 0, a / b, 0) * 2")(a=a, b=b + 1)  # NaN, inf inputs pass quietly:
        formula("a * b + exp(a)")(a=np.array([np.nan, np.inf]), b=np.array([1.0, 2.0]))
        # in every chunk of a parallel run, the flag of the one bad row is found
    big = np.ones(1 << 20)
    big[-1] = 0.0
    program = formula_module._program("1 / a", ("a",), (formula_module._k.FLOAT64,))
    with pytest.warns(RuntimeWarning, match="divide by zero encountered in divide"):
        out = formula_module.evaluate(program, [big], big.size, n_chunks=4, twin="parallel")
    assert out[-1] == np.inf


def test_integer_to_negative_power_raises_as_numpy():
    with pytest.raises(ValueError, match="negative integer powers"):
        formula("a ** b")(a=np.arange(3), b=np.array([1, -1, 2]))
    with pytest.raises(ValueError, match="negative integer powers"):
        formula("a ** -1")(a=np.arange(3))
    np.testing.assert_array_equal(
        formula("a ** b")(a=np.arange(4), b=np.arange(4)), np.arange(4) ** np.arange(4)
    )


@pytest.mark.parametrize(
    ("expression", "piece"),
    [
        ("x.__class__", "x.__class__"),
        ("__import__('os')", "__import__('os')"),
        ("x[0]", "x[0]"),
        ("(lambda: 1)()", "lambda"),
        ("max(x, 1)", "max(x, 1)"),
        ("x and y", "and"),
        ("not x", "not x"),
        ("0 < x < 1", "chained"),
        ("sqrt(x, 2)", "sqrt"),
        ("clip(x, lo=0, hi=1)", "keyword"),
        ("'a' + x", "'a'"),
        ("True + x", "True"),
        ("x if y else 1", "IfExp"),
        ("x +", "syntax"),
    ],
)
def test_grammar_errors_name_the_piece(expression, piece):
    with pytest.raises(ValueError, match="expression") as info:
        formula(expression)
    assert piece in str(info.value)


def test_bad_inputs():
    f = formula("a + b")
    with pytest.raises(TypeError, match="expression must be a str"):
        formula(3)
    with pytest.raises(ValueError, match=r"needs column\(s\) \['b'\]"):
        f(a=np.ones(3))
    with pytest.raises(ValueError, match="one length"):
        f(a=np.ones(3), b=np.ones(4))
    with pytest.raises(ValueError, match="must be 1-D"):
        f(a=np.ones((3, 2)), b=np.ones(3))
    with pytest.raises(TypeError, match="must hold numbers"):
        f(a=np.array(["x", "y"]), b=np.ones(2))
    with pytest.raises(TypeError, match="MaskedArray"):
        f(a=np.ma.masked_array(np.ones(2)), b=np.ones(2))
    with pytest.raises(TypeError, match="float16, float32 and float64"):
        f(a=np.ones(2, np.longdouble), b=np.ones(2))
    with pytest.raises(TypeError, match="complex"):
        f(a=np.ones(2, np.complex128), b=np.ones(2))
    with pytest.raises(TypeError, match="either"):
        f({"a": np.ones(2)}, b=np.ones(2))
    with pytest.raises(ValueError, match="uses no column"):
        formula("1 + 2")()
    with pytest.raises(OverflowError, match="300"):
        formula("a + 300")(a=np.arange(3, dtype=np.uint8))


def test_inputs_of_any_layout_and_byte_order():
    rng = np.random.default_rng(2)
    a = rng.standard_normal((40, 2))[:, 0]  # strided
    b = rng.standard_normal(40).astype(">f8")  # big-endian
    b.flags.writeable = False
    result = formula("(a - b) / (b + 1) + sqrt(abs(a))")(a=a, b=b)
    _same(result, (a - b) / (b + 1) + np.sqrt(np.abs(a)))


def test_mapping_keywords_and_dataframes_agree():
    pd = pytest.importorskip("pandas")
    pl = pytest.importorskip("polars")
    w, h = np.array([60.0, 90.0, 72.5]), np.array([1.5, 2.0, 1.8])
    bmi = formula("weight / height ** 2")
    expected = w / h**2
    _same(bmi(weight=w, height=h), expected)
    _same(bmi({"weight": w, "height": h, "other": np.zeros(3)}), expected)
    _same(bmi(pd.DataFrame({"weight": w, "height": h})), expected)
    _same(bmi(pl.DataFrame({"weight": w, "height": h})), expected)
    # nulls in a nullable integer column are NaN, as float64
    frame = pd.DataFrame({"weight": pd.array([60, None, 72], dtype="Int64"), "height": h})
    _same(bmi(frame), np.array([60.0, np.nan, 72.0]) / h**2)
    with pytest.raises(ValueError, match="weight"):
        bmi(pd.DataFrame({"height": h}))


def test_serial_and_parallel_identical():
    rng = np.random.default_rng(3)
    n = 50_000
    columns = {
        "a": rng.standard_normal(n), "b": rng.integers(-5, 5, n).astype(np.int32),
        "c": rng.standard_normal(n).astype(np.float32),
    }  # fmt: skip
    expression = "where(b > 0, a // (b + 0.5), c * 2.5) + (b % 3) - sqrt(abs(c))"
    f = formula(expression)
    arrays = [columns[name] for name in f.columns]
    kinds = tuple(formula_module._KIND[x.dtype] for x in arrays)
    program = formula_module._program(expression, f.columns, kinds)
    one = formula_module.evaluate(program, arrays, n, n_chunks=1)
    seven = formula_module.evaluate(program, arrays, n, n_chunks=7)
    _same(seven, one)
    _same(formula_module.evaluate(program, arrays, n, n_chunks=3, twin="parallel"), one)
    _same(one, reference.formula(expression)(columns))


@pytest.mark.parametrize(
    ("expression", "dtypes", "banks"),
    [
        ("sqrt(abs(a)) * 2.5 - b // 3 + a % 0.7 + maximum(a, b) ** 2 / tanh(b)", "dd", "f"),
        ("a * b + 1", "ff", "s"),
        ("a // b + (a > 2)", "ll", "i"),
        ("a * b - 2", "dl", "fi"),
        ("where(a > b, a, b)", "dd", "fi"),
        ("a / b", "ll", "fi"),
        ("a + b", "fb", "si"),
        ("minimum(a, b) - 1", "fd", "fs"),
        ("a * b + 1", "ee", "h"),
        ("where(a > b, a, b * 2)", "eB", "hi"),
        ("a / b", "ed", "fh"),
    ],
)
def test_each_program_compiles_only_its_banks(expression, dtypes, banks):
    # A program runs on the banks it uses (the others pruned at compile time),
    # with the same bits as on all four (the parallel twin: the test above).
    rng = np.random.default_rng(4)
    n = 5_000
    columns = {  # b's scale keeps the first expression's terms from cancelling
        name: (rng.standard_normal(n) * scale).astype(code)
        for name, code, scale in zip("ab", dtypes, (1, 1e3), strict=True)
    }
    f = formula(expression)
    arrays = [columns[name] for name in f.columns]
    kinds = tuple(formula_module._KIND[x.dtype] for x in arrays)
    program = formula_module._program(expression, f.columns, kinds)
    assert program.banks == tuple(bank in banks for bank in "fshi")
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        own = formula_module.evaluate(program, arrays, n, n_chunks=1)
        every = formula_module.evaluate(program, arrays, n, n_chunks=3, banks=(True,) * 4)
        expected = reference.formula(expression)(columns)
    _same(every, own)
    if expected.dtype.kind == "f":  # NumPy's SIMD tanh and power: libm's to the last place
        assert_ulp_close(own, expected, ulps=4)
    else:
        _same(own, expected)


def test_compiled_once_per_signature_and_pickles():
    f = formula("a * 2 + 1")
    f(a=np.ones(3))
    f(a=np.ones(3, np.int32))
    info = formula_module._program.cache_info()
    f(a=np.zeros(5))
    assert formula_module._program.cache_info().hits == info.hits + 1
    clone = pickle.loads(pickle.dumps(f))
    assert clone == f and clone.columns == ("a",)
    np.testing.assert_array_equal(clone(a=np.arange(3.0)), [1.0, 3.0, 5.0])
