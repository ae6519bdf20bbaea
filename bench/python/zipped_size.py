"""Prints, as JSON, the size of a zip holding the given executable as `bootstrap`,
deflated: the way cargo-lambda packs a Lambda for the provided.al2023 runtime."""

import io
import json
import sys
import zipfile

buffer = io.BytesIO()
with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
    archive.write(sys.argv[1], "bootstrap")
print(json.dumps({"bytes": buffer.tell()}))
