"""A Jinja2 sandbox that also bounds work and memory, for clause bodies, rules and Word shells.

Jinja's sandbox stops a template from reaching Python internals, not from asking for the
impossible: `10 ** (10 ** 10)` runs for hours, `'a' * 10**9` takes a gigabyte, and two nested
`range(99999)` loops never finish. A library is written by people, and `msa library lint` renders
every clause, so each render here gets a budget of steps, and every operation that can multiply
sizes checks the size it would make before making it:

- `**`, `*`, `+` and `%` are intercepted (SandboxedEnvironment's own hook) and refuse results
  beyond a size: numbers past MAX_INT_BITS, text or lists past MAX_SIZE characters or items
  (counting shared parts once per use, as printing them would);
- every call, attribute lookup, filter and loop iteration costs a step from the render's budget;
- `range()` is limited, and so is the text one render may write (MAX_OUTPUT);
- filters and methods that multiply their input (`join`, `replace`, `indent`, `center`,
  `format`...) are checked against an estimate of what they would produce.

Exceeding a limit raises LimitError, a SecurityError (so a TemplateRuntimeError): the callers
turn it into a RenderError or RuleError naming the clause.
"""

from __future__ import annotations

from .environment import BoundedSandbox
from .limits import MAX_INT_BITS, MAX_OUTPUT, MAX_RANGE, MAX_SIZE, MAX_STEPS, LimitError, budget, charge, size_of

__all__ = ["MAX_INT_BITS", "MAX_OUTPUT", "MAX_RANGE", "MAX_SIZE", "MAX_STEPS", "BoundedSandbox", "LimitError",
           "budget", "charge", "size_of"]
