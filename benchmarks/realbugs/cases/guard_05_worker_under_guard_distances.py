# realbug: a distance computation defines its pool function under the main guard and maps it
# source: https://github.com/microsoft/vscode-jupyter/issues/12485
# expected: MPL204
# symptom: AttributeError: Can't get attribute 'get_cdmx_dist' on <module '__mp_main__'> (spawn, macOS)
import multiprocessing

if __name__ == "__main__":
    municipalities = [(1.0, 2.0), (3.0, 4.0)]

    def get_cdmx_dist(point):
        return (point[0] ** 2 + point[1] ** 2) ** 0.5

    with multiprocessing.Pool() as pool:
        distances = pool.map(get_cdmx_dist, municipalities)
    print(distances)
