# realbug: an evaluator keeps its pool on self and maps one of its own methods: self is pickled with the pool
# source: https://github.com/DEAP/deap/issues/434
# expected: MPL205
# symptom: NotImplementedError: pool objects cannot be passed between processes or pickled
import multiprocessing


class Evaluator:
    def __init__(self):
        self.pool = multiprocessing.Pool()

    def fitness(self, individual):
        return sum(individual)

    def evaluate(self, population):
        return self.pool.map(self.fitness, population)


if __name__ == "__main__":
    evaluator = Evaluator()
    print(evaluator.evaluate([[1, 2], [3]]))
    evaluator.pool.close()
    evaluator.pool.join()
