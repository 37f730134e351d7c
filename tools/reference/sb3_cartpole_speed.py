"""stable-baselines3 PPO throughput on CartPole-v1 with the settings of `edgelab bench rl`'s
ppo_cartpole_env_steps_per_s (CleanRL ppo.py): 4 envs x 128 steps, 4 epochs x 4 minibatches (batch 128),
separate 64-64 tanh actor and critic, Adam lr 2.5e-4 eps 1e-5, no normalisation, 1 torch thread.

Needs a venv with gymnasium, stable-baselines3 and torch (CPU). Prints env steps/s over whole iterations
(rollout + update) after one warm-up iteration, like the EdgeLab bench, and writes the figure with the versions
and the load average to tools/reference/sb3_cartpole_speed.json, which `edgelab bench rl` reads and compares with.
    python tools/reference/sb3_cartpole_speed.py [iterations]
The venv used: Debian's python3-torch (1.13.1, a CPU build; the PyPI torch wheel for Linux is the CUDA build and
does not import without the NVIDIA runtime wheels), `python3 -m venv --system-site-packages .venv-rl`, then
`pip install --no-deps stable-baselines3==2.0.0 gymnasium==0.28.1 farama-notifications cloudpickle` (the last
SB3 release that accepts torch 1.13), with Debian's python3-pandas and python3-matplotlib.
"""
import json
import os
import sys
import time

import torch
from stable_baselines3 import PPO
from stable_baselines3.common.env_util import make_vec_env

torch.set_num_threads(1)
iterations = int(sys.argv[1]) if len(sys.argv) > 1 else 16
env = make_vec_env("CartPole-v1", n_envs=4, seed=1)
model = PPO("MlpPolicy", env, n_steps=128, batch_size=128, n_epochs=4, learning_rate=2.5e-4, gamma=0.99,
            gae_lambda=0.95, clip_range=0.2, ent_coef=0.01, vf_coef=0.5, max_grad_norm=0.5, seed=1, device="cpu",
            policy_kwargs=dict(net_arch=dict(pi=[64, 64], vf=[64, 64]), activation_fn=torch.nn.Tanh,
                               optimizer_kwargs=dict(eps=1e-5)), verbose=0)
model.learn(total_timesteps=512)  # warm-up iteration
t0 = time.perf_counter()
model.learn(total_timesteps=512 * iterations, reset_num_timesteps=False)
dt = time.perf_counter() - t0
sps = 512 * iterations / dt
print(f"sb3_cartpole_env_steps_per_s {sps:.1f}")
import gymnasium
import stable_baselines3
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sb3_cartpole_speed.json")
with open(out, "w") as f:
    json.dump({"sb3_cartpole_env_steps_per_s": round(sps, 1), "iterations": iterations,
               "stable_baselines3": stable_baselines3.__version__, "torch": torch.__version__,
               "gymnasium": gymnasium.__version__, "torch_threads": 1,
               "load_average": os.getloadavg()[0], "date": time.strftime("%Y-%m-%d", time.gmtime())}, f, indent=1)
    f.write("\n")
