# realbug: a download helper maps over a Pool it never closes
# source: https://github.com/MickaelRigault/ztfquery/issues/18
# expected: MPL307
# symptom: OSError: Too many open files when downloading repeatedly
import multiprocessing


def download_single(url):
    return url


def download_data(urls, nprocess=8):
    p = multiprocessing.Pool(nprocess)
    return p.map(download_single, urls)


if __name__ == "__main__":
    for _ in range(3):
        download_data(["a", "b"])
