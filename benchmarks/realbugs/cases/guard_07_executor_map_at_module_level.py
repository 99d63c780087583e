# realbug: descriptors computed with ProcessPoolExecutor.map from code run at import
# source: https://github.com/ylogx/aesthetics/issues/2
# expected: MPL201
# symptom: concurrent.futures.process.BrokenProcessPool: A process in the process pool was terminated abruptly (Windows)
import glob
from concurrent.futures import ProcessPoolExecutor


def image_file(path):
    return len(path)


files = sorted(glob.glob("images/*.jpg"))
with ProcessPoolExecutor() as executor:
    descriptors = list(executor.map(image_file, files))
print(len(descriptors))
