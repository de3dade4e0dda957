#!/usr/bin/env python3
"""PyTorch peer of MlpStepRate.java: steps/s of the 784-4096-4096-10 MLP, batch 256, SGD momentum 0.9,
lr 0.01, random data, on the GPU (FP32: TF32 is switched off to match Myelin's default)."""
import sys
import time

import torch

steps = int(sys.argv[1]) if len(sys.argv) > 1 else 200
warmup = int(sys.argv[2]) if len(sys.argv) > 2 else 20
device = "cuda"
torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False
torch.manual_seed(1)
model = torch.nn.Sequential(
    torch.nn.Linear(784, 4096), torch.nn.ReLU(),
    torch.nn.Linear(4096, 4096), torch.nn.ReLU(),
    torch.nn.Linear(4096, 10)).to(device)
opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
loss_fn = torch.nn.CrossEntropyLoss()
x_host = torch.rand(256, 784).pin_memory()
y_host = torch.randint(0, 10, (256,)).pin_memory()


def step():
    # A fresh upload per step, as Myelin's Trainer does.
    x = x_host.to(device, non_blocking=True)
    y = y_host.to(device, non_blocking=True)
    opt.zero_grad(set_to_none=True)
    loss = loss_fn(model(x), y)
    loss.backward()
    opt.step()


for _ in range(warmup):
    step()
torch.cuda.synchronize()
start = time.perf_counter()
for _ in range(steps):
    step()
torch.cuda.synchronize()
seconds = time.perf_counter() - start
print(f"pytorch {torch.__version__} on {torch.cuda.get_device_name()}: {steps} steps in {seconds:.3f} s = "
      f"{steps / seconds:.1f} steps/s (784-4096-4096-10, batch 256, SGD momentum 0.9)")
