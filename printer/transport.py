"""Printer URLs (EWARUNG_PRINTER) to python-escpos's own printer classes, and sending to them.

A connection is opened and closed for every job: python-escpos connects lazily and only
reports a missing device on the first write, and a printer switched off between two sales
must not leave a dead connection behind.

A `file://` or `serial://` printer is a device under /dev, never a file: a typo must not
send receipts over the secret key or the database. The path must be one of the names
Linux gives a receipt printer's port (`DEVICE_PATH`: /dev/usb/lp0, /dev/lp0, /dev/ttyUSB0,
/dev/ttyACM0, /dev/ttyS0, /dev/ttyAMA0, /dev/rfcomm0, /dev/pts/3, /dev/serial/by-id/...),
written plainly (no `.` or `..`), and when it exists it must be a character device under
/dev (udev's by-id links resolve to one). A device that is not plugged in yet is accepted
in the settings; printing to it fails until it appears. Saving the settings and
`ewarung serve` (for EWARUNG_PRINTER) refuse anything else; sending checks again, and opens
the device without ever creating or truncating a file.
"""

from __future__ import annotations

import os
import re
import socket
import stat
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from escpos.constants import (
    RT_MASK_LOWPAPER,
    RT_MASK_NOPAPER,
    RT_MASK_ONLINE,
    RT_STATUS_ONLINE,
    RT_STATUS_PAPER,
)
from escpos.escpos import Escpos
from escpos.exceptions import DeviceNotFoundError
from escpos.printer import File, Network

SCHEMES = ("network", "serial", "usb", "file", "cups")
#: seconds to connect, or to write, before a job counts as failed
IO_TIMEOUT_S = 5.0
#: seconds to wait for a network printer to close its side after the job
CONFIRM_TIMEOUT_S = 2.0
DEFAULT_NETWORK_PORT = 9100

_SERIAL_INTS = ("baudrate", "bytesize", "stopbits")
_SERIAL_BOOLS = ("xonxoff", "dsrdtr")


class InvalidPrinterUrl(ValueError):
    """EWARUNG_PRINTER is not one of the documented forms."""


class NotADevice(InvalidPrinterUrl):
    """A file:// or serial:// path that is not a printer device."""

    def __init__(self, path: str) -> None:
        super().__init__(f"{path} is not a printer device")
        self.path = path


#: the names of a printer's port: USB and parallel printers, serial ports (USB adapters,
#: on-board, a Raspberry Pi's), Bluetooth serial, pseudo-terminals (virtual serial
#: ports), and udev's stable names for serial ports
DEVICE_PATH = re.compile(r"/dev/(?:usb/lp\d+|lp\d+|tty[A-Za-z]*\d+|rfcomm\d+|pts/\d+"
                         r"|serial/by-(?:id|path)/[\w.:+@-]+)")
#: the schemes whose target is a device path
DEVICE_SCHEMES = ("file", "serial")


@dataclass(frozen=True)
class Target:
    """Where jobs go: a parsed printer URL."""

    url: str
    scheme: str
    options: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    @property
    def device(self) -> str | None:
        """The device path of a file:// or serial:// printer."""
        return self.options["devfile"] if self.scheme in DEVICE_SCHEMES else None

    @property
    def can_read_status(self) -> bool:
        """Whether the printer can answer status queries over this transport."""
        return self.scheme in ("network", "serial", "usb")

    def connect(self, profile: str, timeout: float = IO_TIMEOUT_S) -> Escpos:
        """python-escpos's printer for this target (not yet connected: that happens on write)."""
        from escpos import printer as classes

        opts = dict(self.options)
        if self.device is not None:
            check_device(self.device)
        if self.scheme == "network":
            return _Network(opts.pop("host"), timeout=timeout, profile=profile, **opts)
        if self.scheme == "serial":
            return classes.Serial(timeout=timeout, profile=profile, **opts)
        if self.scheme == "usb":
            return classes.Usb(timeout=int(timeout * 1000), profile=profile, **opts)
        if self.scheme == "file":
            return _DeviceFile(profile=profile, **opts)
        return classes.CupsPrinter(profile=profile, **opts)


class _Network(Network):
    """python-escpos's network printer, closing the socket when connecting fails.

    Upstream (3.1) drops the half-made socket without closing it; a worker retrying a
    switched-off printer all day would leave that to the garbage collector.
    """

    def open(self, raise_not_found: bool = True) -> None:
        """Connect, or raise DeviceNotFoundError with the socket closed."""
        self.close()  # a no-op unless connected
        try:
            connection = socket.create_connection((self.host, self.port), self.timeout)
        except OSError as exc:
            self.device = None
            raise DeviceNotFoundError(
                f"Could not open socket for {self.host}:{self.port}: {exc}") from exc
        self.device = connection


class _DeviceFile(File):
    """python-escpos's file printer, opening only an existing character device.

    Upstream opens the path with "wb", which creates or empties a file of that name.
    """

    def open(self, raise_not_found: bool = True) -> None:
        """Open the device for writing, or raise DeviceNotFoundError."""
        self.close()
        try:  # no O_CREAT, no O_TRUNC; non-blocking only while opening (a FIFO would hang)
            fd = os.open(self.devfile, os.O_WRONLY | os.O_NOCTTY | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError as exc:
            self.device = None
            raise DeviceNotFoundError(f"Could not open the device {self.devfile}: {exc}") \
                from exc
        if not stat.S_ISCHR(os.fstat(fd).st_mode):
            os.close(fd)
            self.device = None
            raise DeviceNotFoundError(f"{self.devfile} is not a printer device")
        os.set_blocking(fd, True)
        self.device = os.fdopen(fd, "wb")


def check_device(path: str) -> None:
    """Raise NotADevice unless `path` names a printer's port (it may be unplugged now)."""
    if not DEVICE_PATH.fullmatch(path) or os.path.normpath(path) != path:
        raise NotADevice(path)
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return  # not plugged in: sending says so
    if not stat.S_ISCHR(mode) or not os.path.realpath(path).startswith("/dev/"):
        raise NotADevice(path)


def checked_target(url: str) -> Target | None:
    """`parse_target`, refusing a file:// or serial:// path that is not a printer device."""
    target = parse_target(url)
    if target is not None and target.device is not None:
        check_device(target.device)
    return target


def parse_target(url: str) -> Target | None:
    """The target of a printer URL; None for `none` (printing switched off)."""
    url = url.strip()
    if url.lower() in ("", "none"):
        return None
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise InvalidPrinterUrl(f"unknown printer scheme in {url!r}")
    query = dict(parse_qsl(parts.query))
    try:
        options = _OPTIONS[scheme](parts, query)
    except (ValueError, KeyError) as exc:
        raise InvalidPrinterUrl(f"bad printer URL {url!r}: {exc}") from exc
    return Target(url=url, scheme=scheme, options=options)


def _network(parts: Any, query: dict[str, str]) -> dict[str, Any]:
    if not parts.hostname:
        raise ValueError("no host")
    return {"host": parts.hostname, "port": parts.port or DEFAULT_NETWORK_PORT}


def _serial(parts: Any, query: dict[str, str]) -> dict[str, Any]:
    devfile = unquote(parts.path)
    if not devfile:
        raise ValueError("no device path")
    options: dict[str, Any] = {"devfile": devfile}
    for key, value in query.items():
        if key in _SERIAL_INTS:
            options[key] = int(value)
        elif key in _SERIAL_BOOLS:
            options[key] = value.lower() in ("1", "true", "yes", "on")
        elif key == "parity":
            options[key] = value.upper()
        else:
            raise ValueError(f"unknown option {key}")
    return options


def _usb(parts: Any, query: dict[str, str]) -> dict[str, Any]:
    vendor, _, product = parts.netloc.partition(":")
    options: dict[str, Any] = {"idVendor": int(vendor, 16), "idProduct": int(product, 16)}
    for key in ("in_ep", "out_ep"):
        if key in query:
            options[key] = int(query[key], 0)
    return options


def _file(parts: Any, query: dict[str, str]) -> dict[str, Any]:
    devfile = unquote(parts.netloc + parts.path)
    if not devfile:
        raise ValueError("no file path")
    return {"devfile": devfile}


def _cups(parts: Any, query: dict[str, str]) -> dict[str, Any]:
    name = unquote(parts.netloc + parts.path).strip("/")
    if not name:
        raise ValueError("no printer name")
    options: dict[str, Any] = {"printer_name": name}
    if "host" in query:
        options["host"] = query["host"]
    return options


_OPTIONS = {"network": _network, "serial": _serial, "usb": _usb, "file": _file, "cups": _cups}

_locks_guard = threading.Lock()
_locks: dict[str, threading.Lock] = {}


def printer_lock(target: Target) -> threading.Lock:
    """One conversation with a printer at a time (the worker and status queries share it)."""
    with _locks_guard:
        return _locks.setdefault(target.url, threading.Lock())


def send(target: Target, data: bytes, profile: str, timeout: float = IO_TIMEOUT_S) -> None:
    """Open, write the whole job, make sure it arrived where we can tell, close."""
    with printer_lock(target):
        printer = target.connect(profile, timeout=timeout)
        try:
            printer._raw(data)  # python-escpos opens the device here (lazily)
            if target.scheme == "network":
                _confirm_network(printer.device)
        finally:
            printer.close()


def _confirm_network(sock: Any) -> None:
    # A printer that dropped the connection mid-job resets it; a loopback or LAN send can
    # "succeed" into the socket buffer anyway. Half-close and wait for the printer's own
    # close: a reset here means the job did not arrive whole.
    sock.shutdown(socket.SHUT_WR)
    sock.settimeout(CONFIRM_TIMEOUT_S)
    try:
        while sock.recv(1024):
            pass  # automatic status bytes some printers send: ignore
    except TimeoutError:
        pass  # a printer that keeps its side open: nothing says the job failed


@dataclass(frozen=True)
class PrinterStatus:
    """What the printer said about itself; None where it cannot tell."""

    online: bool | None
    #: "ok", "low" (near end) or "out"
    paper: str | None
    error: str | None = None


def query_status(target: Target, profile: str, timeout: float = 1.0) -> PrinterStatus:
    """Ask the printer for its online and paper status (network, serial and USB only)."""
    if not target.can_read_status:
        return PrinterStatus(None, None)
    lock = printer_lock(target)
    if not lock.acquire(timeout=timeout):
        return PrinterStatus(True, None)  # busy printing a job: it is there
    try:
        printer = target.connect(profile, timeout=timeout)
        try:
            online_byte = printer.query_status(RT_STATUS_ONLINE)
            paper_byte = printer.query_status(RT_STATUS_PAPER)
        finally:
            printer.close()
    except TimeoutError:
        # Connected but silent: a network printer that answers no status is still reachable.
        return PrinterStatus(True if target.scheme == "network" else None, None)
    except Exception as exc:  # python-escpos, pyserial and pyusb each raise their own
        return PrinterStatus(False, None, str(exc)[:200])
    finally:
        lock.release()
    return PrinterStatus(_online(online_byte), _paper(paper_byte))


def _online(status: bytes) -> bool | None:
    if not status:
        return None
    return not status[0] & RT_MASK_ONLINE


def _paper(status: bytes) -> str | None:
    if not status:
        return None
    if status[0] & RT_MASK_NOPAPER == RT_MASK_NOPAPER:
        return "out"
    if status[0] & RT_MASK_LOWPAPER == RT_MASK_LOWPAPER:
        return "low"
    return "ok"
