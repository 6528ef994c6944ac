#!/usr/bin/python3
"""An IP camera for tests and the demo: an RTSP server (GStreamer gst-rtsp-server) serving
H.264 (no B-frames, SPS/PPS in band) and G.711 A-law at rtsp://HOST:PORT/cam.
Usage: rtsp-camera.py PORT [HOST]"""
import sys

import gi

gi.require_version('Gst', '1.0')
gi.require_version('GstRtspServer', '1.0')
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

Gst.init(None)
port = sys.argv[1] if len(sys.argv) > 1 else '8554'
host = sys.argv[2] if len(sys.argv) > 2 else '127.0.0.1'
server = GstRtspServer.RTSPServer()
server.set_address(host)
server.set_service(port)
factory = GstRtspServer.RTSPMediaFactory()
factory.set_shared(True)
factory.set_launch(
    '( videotestsrc is-live=true pattern=ball ! video/x-raw,width=320,height=240,framerate=25/1 '
    '! x264enc tune=zerolatency speed-preset=ultrafast bframes=0 key-int-max=25 '
    '! rtph264pay name=pay0 pt=96 config-interval=1 '
    'audiotestsrc is-live=true wave=sine freq=440 ! audioconvert ! audioresample '
    '! audio/x-raw,rate=8000,channels=1 ! alawenc ! rtppcmapay name=pay1 pt=8 )'
)
server.get_mount_points().add_factory('/cam', factory)
server.attach(None)
print(f'rtsp://{host}:{port}/cam ready', flush=True)
GLib.MainLoop().run()
