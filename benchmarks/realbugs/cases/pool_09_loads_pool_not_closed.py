# realbug: thermal loads are computed with a pool that is not closed; an optimisation loop calls it repeatedly
# source: https://github.com/architecture-building-systems/CityEnergyAnalyst/issues/350
# expected: MPL307
# symptom: memory leak, extra python processes left running
import multiprocessing as mp


def calc_thermal_loads(building):
    return building * 2


def thermal_loads_all_buildings_multiprocessing(buildings):
    pool = mp.Pool()
    joblist = [pool.apply_async(calc_thermal_loads, [b]) for b in buildings]
    return [job.get() for job in joblist]


if __name__ == "__main__":
    for _ in range(10):
        thermal_loads_all_buildings_multiprocessing([1, 2, 3])
