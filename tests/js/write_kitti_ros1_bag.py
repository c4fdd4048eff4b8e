#!/usr/bin/python3
"""Writes a KITTI raw drive as a ROS 1 bag with Debian's python3-rosbag (an independent writer):
/velodyne_points (PointCloud2), /image_02/image/compressed (CompressedImage, the PNG bytes),
/image_02/camera_info (CameraInfo with P_rect_02) and /tf_static (base_link -> velodyne, identity;
base_link -> image_02_optical, the inverse of R_rect_00 * [R|T]).

usage: write_kitti_ros1_bag.py DRIVE_DIR OUT.bag {bz2|lz4|none}
"""
import calendar
import math
import os
import sys

import genpy
import rosbag
from geometry_msgs.msg import TransformStamped
from sensor_msgs.msg import CameraInfo, CompressedImage, PointCloud2, PointField
from tf2_msgs.msg import TFMessage


def kitti_time(line):
    date, clock = line.strip().split(" ")
    hms, frac = clock.split(".")
    seconds = calendar.timegm(tuple(map(int, date.split("-") + hms.split(":"))) + (0, 0, 0))
    return genpy.Time(seconds, int(frac.ljust(9, "0")[:9]))


def calib(path, key):
    with open(path) as f:
        for line in f:
            name, _, rest = line.partition(":")
            if name == key:
                return [float(v) for v in rest.split()]
    raise KeyError(key)


def quaternion(m):
    """Row-major 3x3 rotation -> (x, y, z, w), Shepperd's method."""
    a, b, c, d, e, f, g, h, i = m
    trace = a + e + i
    if trace > 0:
        s = math.sqrt(trace + 1) * 2
        q = ((h - f) / s, (c - g) / s, (d - b) / s, s / 4)
    elif a > e and a > i:
        s = math.sqrt(1 + a - e - i) * 2
        q = (s / 4, (b + d) / s, (c + g) / s, (h - f) / s)
    elif e > i:
        s = math.sqrt(1 + e - a - i) * 2
        q = ((b + d) / s, s / 4, (f + h) / s, (c - g) / s)
    else:
        s = math.sqrt(1 + i - a - e) * 2
        q = ((c + g) / s, (f + h) / s, s / 4, (d - b) / s)
    n = math.sqrt(sum(v * v for v in q))
    return tuple(v / n for v in q)


def main(drive, out, compression):
    calib_dir = os.path.dirname(drive.rstrip("/"))
    cam = os.path.join(calib_dir, "calib_cam_to_cam.txt")
    velo = os.path.join(calib_dir, "calib_velo_to_cam.txt")
    P = calib(cam, "P_rect_02")
    width, height = (int(v) for v in calib(cam, "S_rect_02"))
    Rr, R, T = calib(cam, "R_rect_00"), calib(velo, "R"), calib(velo, "T")
    A = [sum(Rr[3 * r + k] * R[3 * k + c] for k in range(3)) for r in range(3) for c in range(3)]
    b = [sum(Rr[3 * r + k] * T[k] for k in range(3)) for r in range(3)]
    At = [A[0], A[3], A[6], A[1], A[4], A[7], A[2], A[5], A[8]]
    t = [-sum(At[3 * r + k] * b[k] for k in range(3)) for r in range(3)]

    def lines(stream):
        with open(os.path.join(drive, stream, "timestamps.txt")) as f:
            return [kitti_time(l) for l in f if l.strip()]

    lidar_times, image_times = lines("velodyne_points"), lines("image_02")
    first = min(lidar_times[0], image_times[0])
    messages = []

    tf = TFMessage()
    for child, translation, rotation in (("velodyne", (0, 0, 0), (0, 0, 0, 1)),
                                         ("image_02_optical", t, quaternion(At))):
        ts = TransformStamped()
        ts.header.stamp, ts.header.frame_id, ts.child_frame_id = first, "base_link", child
        (ts.transform.translation.x, ts.transform.translation.y,
         ts.transform.translation.z) = translation
        (ts.transform.rotation.x, ts.transform.rotation.y, ts.transform.rotation.z,
         ts.transform.rotation.w) = rotation
        tf.transforms.append(ts)
    messages.append((first, "/tf_static", tf))

    info = CameraInfo()
    info.header.stamp, info.header.frame_id = first, "image_02_optical"
    info.width, info.height, info.distortion_model = width, height, "plumb_bob"
    info.K = [P[0], P[1], P[2], P[4], P[5], P[6], P[8], P[9], P[10]]
    info.R = [1, 0, 0, 0, 1, 0, 0, 0, 1]
    info.P = P
    messages.append((first, "/image_02/camera_info", info))

    for index, stamp in enumerate(lidar_times):
        with open(os.path.join(drive, "velodyne_points/data/%010d.bin" % index), "rb") as f:
            data = f.read()
        cloud = PointCloud2()
        cloud.header.stamp, cloud.header.frame_id = stamp, "velodyne"
        cloud.height, cloud.width = 1, len(data) // 16
        cloud.fields = [PointField(name, 4 * k, PointField.FLOAT32, 1)
                        for k, name in enumerate(("x", "y", "z", "intensity"))]
        cloud.is_bigendian, cloud.point_step, cloud.row_step = False, 16, len(data)
        cloud.data, cloud.is_dense = data, True
        messages.append((stamp, "/velodyne_points", cloud))
    for index, stamp in enumerate(image_times):
        image = CompressedImage()
        image.header.stamp, image.header.frame_id = stamp, "image_02_optical"
        image.format = "png"
        with open(os.path.join(drive, "image_02/data/%010d.png" % index), "rb") as f:
            image.data = f.read()
        messages.append((stamp, "/image_02/image/compressed", image))

    messages.sort(key=lambda m: m[0])
    # Small chunks: a drive spans many, so the reader's chunk handling is exercised.
    with rosbag.Bag(out, "w", compression=compression, chunk_threshold=512 * 1024) as bag:
        for stamp, topic, message in messages:
            bag.write(topic, message, t=stamp)


if __name__ == "__main__":
    main(*sys.argv[1:4])
