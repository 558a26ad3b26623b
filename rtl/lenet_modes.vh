// Mode codes of the RTL library's parameters, included inside every module body that reads them
// (`include "lenet_modes.vh"). No include guard on purpose: each module needs its own copy of the
// localparams. The values equal LeNetHls.Core.FixedPoint.VerilogCodes, which the generator uses to
// set the parameters; a test keeps the two identical.
/* verilator lint_off UNUSEDPARAM */ // a module reads only the codes it needs
localparam LENET_ROUND_RND      = 0;  // half toward +inf (AP_RND)
localparam LENET_ROUND_TRN      = 1;  // floor (AP_TRN)
localparam LENET_ROUND_RND_CONV = 2;  // half to even (AP_RND_CONV)
localparam LENET_OVERFLOW_WRAP  = 0;  // keep the low bits (AP_WRAP)
localparam LENET_OVERFLOW_SAT   = 1;  // clamp (AP_SAT)
localparam LENET_ACT_NONE       = 0;
localparam LENET_ACT_RELU       = 1;
localparam LENET_ACT_TANH       = 2;
localparam LENET_POOL_MAX       = 0;
localparam LENET_POOL_AVG       = 1;
/* verilator lint_on UNUSEDPARAM */
