# Peer for tests/bench/proctoring-peer.bench.ts: the classic OpenCV Haar-cascade face detector
# (Debian python3-opencv + opencv-data) on the same frames, one thread. Prints one JSON object.
import json
import sys
import time

import cv2

cv2.setNumThreads(1)
cascade = cv2.CascadeClassifier('/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml')
repeats = int(sys.argv[1])
results = []
for path in sys.argv[2:]:
    image = cv2.imread(path)
    gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    gray = cv2.equalizeHist(gray)
    times = []
    faces = []
    for _ in range(repeats):
        t0 = time.process_time()
        faces = cascade.detectMultiScale(gray, scaleFactor=1.1, minNeighbors=5, minSize=(30, 30))
        times.append((time.process_time() - t0) * 1000)
    times.sort()
    results.append({'file': path, 'faces': int(len(faces)), 'medianMs': times[len(times) // 2]})
print(json.dumps({'opencv': cv2.__version__, 'results': results}))
