// `longtail convert LOG -o OUT`: a drive log (KITTI raw folder or MCAP, chosen by content) to MCAP
// with Foxglove schemas, or to a KITTI raw drive folder.
#include <iostream>

#include "sensors/kitti/kitti_raw_writer.h"
#include "sensors/log_reader.h"
#include "sensors/mcap/foxglove_log.h"
#include "tools/commands/commands.h"
#include "tools/commands/topic_options.h"

namespace longtail::tools {
namespace {

struct ConvertOptions {
  std::string input;
  std::string output;
  std::string to;  // "mcap" or "kitti-raw"; empty: from the output name
  std::string compression = "zstd";
  std::uint64_t chunk_size_bytes = 4 << 20;
  sensors::LogOpenOptions open;
};

int RunConvert(const ConvertOptions& options) {
  namespace fs = std::filesystem;
  const std::string to =
      !options.to.empty()
          ? options.to
          : (fs::path(options.output).extension() == ".mcap" ? "mcap" : "kitti-raw");
  sensors::IssueLog issues;
  std::int64_t frames = 0;
  const auto reader = sensors::OpenLog(options.input, issues, options.open);
  if (to == "mcap") {
    sensors::proto::McapWriterOptions writer_options;
    writer_options.set_compression(options.compression == "none" ? "" : options.compression);
    writer_options.set_chunk_size_bytes(options.chunk_size_bytes);
    sensors::mcap::FoxgloveLogWriter writer(options.output, writer_options);
    while (std::optional<sensors::Frame> frame = reader->Next()) {
      writer.Write(*frame);
      ++frames;
    }
    writer.Close();
  } else if (to == "kitti-raw") {
    // OUT is the drive folder; its parent is the date folder that holds the calibration.
    const fs::path drive = fs::absolute(options.output).lexically_normal();
    std::optional<sensors::KittiRawWriter> writer;
    while (std::optional<sensors::Frame> frame = reader->Next()) {
      if (!writer) {
        const sensors::Calibration calibration =
            frame->calibration ? *frame->calibration : sensors::Calibration{};
        writer.emplace(drive.parent_path(), drive.filename().string(), calibration);
      }
      writer->Write(*frame);
      ++frames;
    }
    if (writer) writer->Finish();
  } else {
    throw UsageError("--to must be mcap or kitti-raw, not '" + to + "'");
  }
  std::cout << options.input << " -> " << options.output << " (" << to << "): " << frames
            << " frames\n";
  for (const auto& issue : issues.issues()) std::cout << "  problem: " << ToString(issue) << "\n";
  return issues.count() == 0 ? kExitOk : kExitCorruptInput;
}

}  // namespace

void AddConvertCommand(CLI::App& app, int* exit_code) {
  auto options = std::make_shared<ConvertOptions>();
  CLI::App* command = app.add_subcommand(
      "convert",
      "Convert a drive log between KITTI raw and MCAP (Foxglove protobuf schemas: opens in\n"
      "Foxglove with no extension). The input format is found from its content. Camera images\n"
      "are copied as their original PNG/JPEG bytes. Exit code 3 when the input had problems\n"
      "(the readable part is still written).");
  command->add_option("log", options->input, "a KITTI raw drive folder or an MCAP file")
      ->required();
  command
      ->add_option("-o,--output", options->output,
                   "drive.mcap, or a KITTI drive folder (DATE/DATE_drive_XXXX_sync)")
      ->required();
  command->add_option("--to", options->to, "mcap or kitti-raw (default: mcap if OUT ends in .mcap)")
      ->check(CLI::IsMember({"mcap", "kitti-raw"}));
  command->add_option("--compression", options->compression, "MCAP chunk compression")
      ->check(CLI::IsMember({"zstd", "lz4", "none"}))
      ->capture_default_str();
  AddTopicOptions(command, &options->open);
  command->add_option("--chunk-size", options->chunk_size_bytes, "MCAP chunk size, bytes")
      ->check(CLI::Range(std::uint64_t{1024}, std::uint64_t{1} << 32))
      ->capture_default_str();
  command->callback([options, exit_code] { *exit_code = RunConvert(*options); });
}

}  // namespace longtail::tools
