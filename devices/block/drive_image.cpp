// Drive image opening and validation (see drive_image.h).
#include "devices/block/drive_image.h"

#include <cstring>

#include "devices/block/cow_overlay.h"
#include "devices/block/raw_image.h"

namespace emu {
namespace {

// Names the format of an image emu cannot read from its first bytes, or nullptr.
const char* foreign_format(BlockDevice& image) {
  static const struct {
    const char* name;
    const char* magic;
    size_t len;
  } kFormats[] = {{"qcow2", "QFI\xfb", 4}, {"VMDK", "KDMV", 4}, {"VHDX", "vhdxfile", 8}};
  char head[8] = {};
  if (image.size_bytes() < sizeof head || !image.read(0, head, sizeof head)) return nullptr;
  for (const auto& f : kFormats)
    if (std::memcmp(head, f.magic, f.len) == 0) return f.name;
  return nullptr;
}

}  // namespace

std::unique_ptr<BlockDevice> open_drive_image(const DriveImageRequest& r) {
  if (!r.format.empty() && r.format != "raw")
    throw BlockError(r.path + ": image format '" + r.format + "' is not supported (emu reads raw images)");
  const bool writable = !r.cdrom && !r.read_only && !r.snapshot;
  std::unique_ptr<BlockDevice> image = RawImage::open(r.path, !writable);
  if (r.format.empty()) {
    if (const char* name = foreign_format(*image))
      throw BlockError(r.path + ": is a " + name + " image; emu reads raw images only (convert it with qemu-img convert -O raw)");
  }
  const uint64_t block = r.cdrom ? 2048 : 512;
  if (image->size_bytes() % block != 0)
    throw BlockError(r.path + ": image size " + std::to_string(image->size_bytes()) + " bytes is not a whole number of " +
                     std::to_string(block) + "-byte " + (r.cdrom ? "CD-ROM blocks" : "sectors") + " (truncated?)");
  if (!r.cdrom && r.snapshot) image = CowOverlay::temporary(std::move(image));
  return image;
}

}  // namespace emu
