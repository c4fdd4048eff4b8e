# Every dependency is a Debian 12 package (scripts/install-deps.sh installs them).
find_package(Threads REQUIRED)
find_package(Eigen3 3.3 REQUIRED NO_MODULE)
find_package(TBB REQUIRED)
find_package(Protobuf REQUIRED)
find_package(OpenCV 4 REQUIRED COMPONENTS core imgproc imgcodecs ml)
# Debian's PCL config loads VTK 9.1, whose config needs MPI's imported targets to exist first.
find_package(MPI COMPONENTS C)
find_package(PCL 1.12 REQUIRED COMPONENTS common io filters kdtree segmentation registration)
find_package(SQLite3 REQUIRED)
find_package(nlohmann_json 3 REQUIRED)
find_package(CLI11 CONFIG REQUIRED)
find_package(ZLIB REQUIRED)
find_package(BZip2 REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(ZSTD REQUIRED IMPORTED_TARGET libzstd)
pkg_check_modules(LZ4 REQUIRED IMPORTED_TARGET liblz4)
# Intel ISA-L: CRC-32 with run-time CPU dispatch (PCLMUL / AVX-512), for MCAP's CRCs.
pkg_check_modules(ISAL REQUIRED IMPORTED_TARGET libisal)
# libdeflate: the camera checks' PNGs inflated at about twice zlib's speed.
pkg_check_modules(DEFLATE REQUIRED IMPORTED_TARGET libdeflate)
pkg_check_modules(PQXX REQUIRED IMPORTED_TARGET libpqxx)
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)
