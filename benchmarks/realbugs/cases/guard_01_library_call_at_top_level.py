# realbug: a script calls a signature-extraction library at module level; the library starts processes
# source: https://github.com/SigProfilerSuite/SigProfilerExtractor/issues/121
# expected: none
# why-none: the processes are started inside the library (another module); nothing here starts one
from SigProfilerExtractor import sigpro as sig

sig.sigProfilerExtractor("matrix", "results", "input.txt", minimum_signatures=1, maximum_signatures=3)
