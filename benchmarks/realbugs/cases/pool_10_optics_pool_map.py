# realbug: an optical model maps over a pool without close() and join()
# source: https://github.com/ajeldorado/falco-python/pull/19
# expected: MPL307
# symptom: memory leak over many calls
# why-missed: full_model() is called once, from the __main__ guard, which MPL307 exempts (a pool that lives as long as the program); the leak comes from callers in other modules
import multiprocessing


def model_wavelength(wavelength):
    return wavelength ** 2


def full_model(wavelengths):
    pool = multiprocessing.Pool(processes=4)
    results = pool.map(model_wavelength, wavelengths)
    return sum(results)


if __name__ == "__main__":
    print(full_model([1.0, 2.0]))
