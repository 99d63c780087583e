# realbug: a scheduler runs a task in a daemonic worker and the task's library opens a Pool
# source: https://github.com/ThilinaRajapakse/simpletransformers/issues/1247
# expected: none
# why-none: the Pool is created inside the library and the daemonic process by the scheduler, both elsewhere
from simpletransformers.ner import NERModel


def train_task(data):
    model = NERModel("bert", "bert-base-cased", use_cuda=False)
    model.train_model(data)
