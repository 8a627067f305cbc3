"""A real SMTP server for the mail tests: every message received is written, whole, as
DIR/NNNNNN.eml, its envelope recipients as DIR/NNNNNN.rcpt and the client's address and
port (one per connection) as DIR/NNNNNN.peer. A recipient whose address contains REFUSE
is refused (550), as a relay refuses an unknown mailbox.

    python3 smtp_sink.py DIR PORT [REFUSE]   (prints "ready" once listening on 127.0.0.1:PORT)
"""
import os
import sys
import threading

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, directory, refuse):
        self.directory = directory
        self.refuse = refuse
        self.count = 0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse and self.refuse in address:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
            base = os.path.join(self.directory, "%06d" % self.count)
        with open(base + ".rcpt", "w") as f:
            f.write("\n".join(envelope.rcpt_tos))
        with open(base + ".peer", "w") as f:
            f.write("%s:%s" % session.peer[:2])
        data = envelope.original_content or envelope.content
        with open(base + ".tmp", "wb") as f:
            f.write(data if isinstance(data, bytes) else data.encode())
        os.rename(base + ".tmp", base + ".eml")
        return "250 OK"


def main():
    directory, port = sys.argv[1], int(sys.argv[2])
    refuse = sys.argv[3] if len(sys.argv) > 3 else None
    controller = Controller(Sink(directory, refuse), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
