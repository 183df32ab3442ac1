#pragma once
// diffuse/version.hpp — library version, kept in step with project(VERSION) in CMakeLists.txt.

#define DIFFUSE_VERSION_MAJOR 0
#define DIFFUSE_VERSION_MINOR 1
#define DIFFUSE_VERSION_PATCH 0
