// Drive image opening and validation (see drive_image.h).
#include "devices/block/drive_image.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstring>

#include "devices/block/cow_overlay.h"
#include "devices/block/image_file.h"
#include "devices/block/qcow2_format.h"
#include "devices/block/qcow2_image.h"
#include "devices/block/raw_image.h"

namespace emu {
namespace {

constexpr int kMaxBackingDepth = 16;

// The format named by the file's first bytes: "qcow2", a foreign format emu does not
// read ("VMDK", "VHDX"), or "raw". A file that cannot be read probes as raw (opening
// it then reports the problem).
std::string probe_format(const std::string& path) {
  static const struct {
    const char* name;
    const char* magic;
    size_t len;
  } kFormats[] = {{"qcow2", reinterpret_cast<const char*>(qcow2::kMagic), 4},
                  {"VMDK", "KDMV", 4},
                  {"VHDX", "vhdxfile", 8}};
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "raw";
  char head[8] = {};
  const bool ok = image_file::pread_all(fd, head, sizeof head, 0);
  ::close(fd);
  if (!ok) return "raw";
  for (const auto& f : kFormats)
    if (std::memcmp(head, f.magic, f.len) == 0) return f.name;
  return "raw";
}

// Opens `path` as `format` (empty: probed); qcow2 backing files recurse read-only.
std::unique_ptr<BlockDevice> open_image(const std::string& path, std::string format, bool read_only, int depth) {
  if (format.empty()) {
    format = probe_format(path);
    if (format != "raw" && format != "qcow2")
      throw BlockError(path + ": is a " + format + " image; emu reads raw and qcow2 images (convert it with qemu-img convert)");
  }
  if (format == "raw") return RawImage::open(path, read_only);
  if (format != "qcow2")
    throw BlockError(path + ": image format '" + format + "' is not supported (emu reads raw and qcow2 images)");
  auto open_backing = [depth](const std::string& backing, const std::string& backing_format) {
    if (depth + 1 >= kMaxBackingDepth)
      throw BlockError(backing + ": backing chain longer than " + std::to_string(kMaxBackingDepth) + " images");
    return open_image(backing, backing_format, true, depth + 1);
  };
  return Qcow2Image::open(path, read_only, open_backing);
}

}  // namespace

std::unique_ptr<BlockDevice> open_drive_image(const DriveImageRequest& r) {
  const bool writable = !r.cdrom && !r.read_only && !r.snapshot;
  std::unique_ptr<BlockDevice> image = open_image(r.path, r.format, !writable, 0);
  const uint64_t block = r.cdrom ? 2048 : 512;
  if (image->size_bytes() == 0) throw BlockError(r.path + ": image is empty (virtual size 0)");
  if (image->size_bytes() % block != 0)
    throw BlockError(r.path + ": image size " + std::to_string(image->size_bytes()) + " bytes is not a whole number of " +
                     std::to_string(block) + "-byte " + (r.cdrom ? "CD-ROM blocks" : "sectors") + " (truncated?)");
  if (!r.cdrom && r.snapshot) image = CowOverlay::temporary(std::move(image));
  return image;
}

}  // namespace emu
