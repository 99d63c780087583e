# realbug: a data pipeline is run at module level; the framework opens a Manager and a Pool
# source: https://github.com/argilla-io/distilabel/issues/685
# expected: none
# why-none: the Manager and Pool are created by the framework in another module
from distilabel.pipeline import Pipeline

with Pipeline(name="demo") as pipeline:
    pass

distiset = pipeline.run()
