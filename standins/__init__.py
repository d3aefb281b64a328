"""Stand-ins for outside services, for the demo and the tests only.

Never installed in production: setuptools packages only ``joinedup*``. Each stand-in listens on 127.0.0.1 only.
"""
