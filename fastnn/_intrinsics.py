"""Two LLVM operations that Numba's Python cannot spell (use inside kernels).

- :func:`fma`: ``a · b + c`` rounded once (``llvm.fma``). fastnn keeps
  ``fastmath`` off (see :mod:`fastnn._jit`), so LLVM never contracts a
  product and a sum on its own; a kernel that wants the fused operation,
  for a polynomial's Horner steps say, writes it here and its result stays
  defined and equal in the serial and parallel twins.
- :func:`float32_from_bits`: the float32 whose bit pattern is a 32-bit integer.
  It builds 2^k as ``(k + 127) << 23`` without a buffer to view, so a loop
  computing ``e^x`` stays one loop and vectorises.
"""

from llvmlite import ir
from numba import types
from numba.extending import intrinsic

__all__ = ["float32_from_bits", "fma"]


@intrinsic
def fma(typingctx, a, b, c):
    """Return ``a · b + c`` with one rounding; ``a``, ``b``, ``c`` floats of one type."""
    if not (isinstance(a, types.Float) and a == b == c):
        return None

    def codegen(context, builder, signature, args):
        return builder.fma(*args)

    return a(a, b, c), codegen


@intrinsic
def float32_from_bits(typingctx, bits):
    """Return the float32 whose IEEE 754 bit pattern is the low 32 bits of the integer ``bits``.

    int32 or int64: Numba widens ``int32 << int32`` to int64.
    """
    if not (isinstance(bits, types.Integer) and bits.bitwidth in (32, 64)):
        return None

    def codegen(context, builder, signature, args):
        low = builder.trunc(args[0], ir.IntType(32)) if bits.bitwidth > 32 else args[0]
        return builder.bitcast(low, ir.FloatType())

    return types.float32(bits), codegen
