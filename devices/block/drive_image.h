// Opening the image behind a guest drive: recognise what the file is (a raw image, a
// qcow2 image with its chain of backing files, or a format emu does not read), check
// that its size suits the medium (whole 512-byte sectors for a disk, whole 2048-byte
// blocks for a CD-ROM), and put the temporary copy-on-write overlay of -snapshot in
// front. Every refusal is a BlockError whose message names the file, raised before the
// guest starts.
#pragma once
#include <memory>
#include <string>

#include "devices/block/block_backend.h"

namespace emu {

struct DriveImageRequest {
  std::string path;
  std::string format;  // "raw", "qcow2", or empty: probe by magic (qcow2, else raw)
  bool cdrom = false;
  bool read_only = false;
  bool snapshot = false;  // disk writes go to a temporary overlay; the file stays untouched
};

std::unique_ptr<BlockDevice> open_drive_image(const DriveImageRequest& request);

}  // namespace emu
