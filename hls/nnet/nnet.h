// The LeNet-5 kernel library: every layer kind the generator emits.
#ifndef NNET_H_
#define NNET_H_

#include "nnet_types.h"
#include "nnet_mult.h"
#include "nnet_requant.h"
#include "nnet_conv2d.h"
#include "nnet_dense.h"
#include "nnet_pool.h"
#include "nnet_stream.h"
#include "nnet_trace.h"

#endif
