"""The defects seeded-defects.sh applies to a scratch copy of driver/src, one at a time.

Each is (name, file under driver/src, [(old, new), ...]); every `old` must occur exactly once.
Usage: seeded-defects.py count | name I | apply I SRC_DIR
"""

import sys

DEFECTS = [
    (
        "missing unwind step: no WdfDeviceInitFree after a failed WdfDeviceCreate",
        "device.rs",
        [("call_unsafe_wdf_function_binding!(WdfDeviceInitFree, device_init);",
          "let _ = device_init;")],
    ),
    (
        "leaked pool buffer: PoolBuffer forgets its allocation",
        "pool.rs",
        [("impl AsRef<[u8]> for PoolBuffer {",
          "impl Drop for PoolBuffer {\n    fn drop(&mut self) {\n"
          "        core::mem::forget(core::mem::take(&mut self.bytes));\n    }\n}\n\n"
          "impl AsRef<[u8]> for PoolBuffer {")],
    ),
    (
        "reordered unload: the control device is deleted before BFE notifications stop",
        "state.rs",
        [("        // 1. Stop BFE notifications.",
          "        device.delete();\n        // 1. Stop BFE notifications."),
         ("        // 5. Delete the control device (nothing refers to its DEVICE_OBJECT any more).\n"
          "        device.delete();\n",
          "")],
    ),
    (
        "teardown under the wait lock: EvtDriverUnload unsubscribes while holding it",
        "lib.rs",
        [("    if let Some(state) = GLOBAL.take() {\n        state.shutdown();\n    }\n}",
          "    let _ = GLOBAL.with(|slot| {\n        if let Some(state) = slot.take() {\n"
          "            state.shutdown();\n        }\n    });\n}")],
    ),
    (
        "swapped out-parameters: WdfRegistryQueryValue's length and type exchanged",
        "registry.rs",
        [("                &raw mut reply.length,\n                &raw mut reply.kind,",
          "                &raw mut reply.kind,\n                &raw mut reply.length,")],
    ),
]


def main() -> None:
    command = sys.argv[1]
    if command == "count":
        print(len(DEFECTS))
        return
    name, file, edits = DEFECTS[int(sys.argv[2])]
    if command == "name":
        print(name)
        return
    path = f"{sys.argv[3]}/{file}"
    with open(path, encoding="utf-8") as f:
        text = f.read()
    for old, new in edits:
        if text.count(old) != 1:
            sys.exit(f"seeded-defects: {name}: the text to replace is not in {path} exactly once")
        text = text.replace(old, new)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


if __name__ == "__main__":
    main()
