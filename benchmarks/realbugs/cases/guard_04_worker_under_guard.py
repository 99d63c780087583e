# realbug: the dispatcher defines its worker inside the __main__ block
# source: https://github.com/thomas0809/GraphIE/issues/6
# expected: MPL204
# symptom: AttributeError: Can't get attribute 'worker' on <module '__mp_main__' from 'dispatcher_twitter.py'>
from multiprocessing import Pool

if __name__ == "__main__":

    def worker(config):
        return config * 2

    with Pool(2) as pool:
        print(pool.map(worker, range(4)))
