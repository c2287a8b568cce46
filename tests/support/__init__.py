"""What the tests share: the Dify emulator, the sandbox stand-ins, the option space and its scenarios."""
