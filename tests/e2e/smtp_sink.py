"""A real SMTP server for the mail tests: every message received is written, whole, as
DIR/NNNNNN.eml and its envelope recipients as DIR/NNNNNN.rcpt.

    python3 smtp_sink.py DIR PORT      (prints "ready" once listening on 127.0.0.1:PORT)
"""
import os
import sys
import threading

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, directory):
        self.directory = directory
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
            base = os.path.join(self.directory, "%06d" % self.count)
        with open(base + ".rcpt", "w") as f:
            f.write("\n".join(envelope.rcpt_tos))
        data = envelope.original_content or envelope.content
        with open(base + ".tmp", "wb") as f:
            f.write(data if isinstance(data, bytes) else data.encode())
        os.rename(base + ".tmp", base + ".eml")
        return "250 OK"


def main():
    directory, port = sys.argv[1], int(sys.argv[2])
    controller = Controller(Sink(directory), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
