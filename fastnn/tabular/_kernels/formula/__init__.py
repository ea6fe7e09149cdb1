"""The row-formula interpreter: one cached kernel runs any compiled formula.

A formula is lowered (:mod:`fastnn.tabular.formulas`) to a register program,
an ``int64`` table with one instruction per row::

    op, kind, dst, a, b, c, aux

``kind`` is the NumPy loop dtype of the instruction (:mod:`.codes`).
Registers live in four banks, rows of ``(n_registers, BLOCK)`` arrays:
``floats`` (float64), ``singles`` (float32), ``halves`` (float16 numbers held
as float32, rounded after each operation: :mod:`.floats`) and ``ints``
(int64). The int64 bank holds every bool and integer kind in a canonical
form: 0/1 for bool, the value sign- or zero-extended for integers narrower
than 64 bits, and the raw bits for uint64, so that ``+ - *`` are the
machine's wrapping int64 operations followed by a wrap to the kind's width
(exactly NumPy's modular arithmetic, as truncation is a ring homomorphism).

An operand ``>= 0`` is a register; ``-1 - slot`` is a column (or the output)
read in place through its address, so a float64 column feeds a float64
instruction without a copy, and the last instruction writes into the result.

:func:`~.interpreter.run_program` walks blocks of ``BLOCK`` rows; for each
block it runs every instruction as one loop over the block (:mod:`.loops`),
which stays in cache and vectorises. Each instruction has a status word
per chunk: integer division by zero, ``MIN // -1`` and negative integer
powers set its bits ``DIVIDE``, ``OVERFLOW``, ``NEGATIVE_POWER``; a float
instruction's non-finite results set one bit per class of operands and keep
an example of each (:mod:`.floats`), which the caller replays through NumPy
to raise NumPy's warnings.

Compile time is what this design pays, so a bank the program does not use is
passed as ``None``: Numba prunes every branch on it, and each set of banks
compiles (once per machine) into a kernel with only its own loops. A float64
formula compiles the float64 loops alone, a formula of int64 and float64
columns those two banks and the casts between them.
"""
