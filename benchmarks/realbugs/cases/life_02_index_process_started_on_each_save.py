# realbug: a notes editor starts its indexing process on every save; the process object is created once
# source: https://github.com/mikidown/mikidown/issues/25
# expected: MPL103
# symptom: AssertionError: cannot start a process twice (on the second save)
# why-missed: the process is self.whoosh_process, created in __init__ and started in save(); a process kept in an attribute is not followed across methods
from multiprocessing import Process


def update_index(path):
    print("indexing", path)


class NotesEdit:
    def __init__(self, path):
        self.whoosh_process = Process(target=update_index, args=(path,))

    def save(self):
        self.whoosh_process.start()


if __name__ == "__main__":
    edit = NotesEdit("notes")
    edit.save()
    edit.save()
