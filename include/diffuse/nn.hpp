#pragma once
// diffuse/nn.hpp — layers with hand-written backpropagation, the seeds' networks, optimizers,
// learning-rate schedules, gradient clipping and safetensors checkpoints.

#include "diffuse/nn/activations.hpp"
#include "diffuse/nn/conditional_mlp.hpp"
#include "diffuse/nn/embeddings.hpp"
#include "diffuse/nn/linear.hpp"
#include "diffuse/nn/mlp.hpp"
#include "diffuse/nn/seed_networks.hpp"
#include "diffuse/nn/tensor_spec.hpp"
#include "diffuse/nn/checkpoint.hpp"
#include "diffuse/nn/lr_schedules.hpp"
#include "diffuse/nn/optimizers.hpp"
#include "diffuse/nn/safetensors.hpp"
