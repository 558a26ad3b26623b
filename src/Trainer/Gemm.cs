using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace LeNetHls.Trainer;

/// <summary>
/// The two matrix products the layers need, on raw row-major float pointers. Both are register-blocked
/// with 256-bit FMA vectors; the summation order depends only on the sizes, so results are reproducible.
/// </summary>
internal static unsafe class Gemm
{
    /// <summary>
    /// C[i·ldc + j] (+)= Σ_p A[i·aRow + p·aCol] · B[p·ldb + j]. The general A strides let a transposed
    /// A be read in place; vectors run along j, so N should be the long dimension.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MatMul(int m, int n, int k, float* a, int aRow, int aCol, float* b, int ldb, float* c, int ldc, bool accumulate)
    {
        int i = 0;
        for (; i + 4 <= m; i += 4) FourRows(n, k, a + i * aRow, aRow, aCol, b, ldb, c + i * ldc, ldc, accumulate);
        for (; i < m; i++) OneRow(n, k, a + i * aRow, aCol, b, ldb, c + i * ldc, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]

    private static void FourRows(int n, int k, float* a, int aRow, int aCol, float* b, int ldb, float* c, int ldc, bool accumulate)
    {
        float* a0 = a, a1 = a + aRow, a2 = a + 2 * aRow, a3 = a + 3 * aRow;
        float* c0 = c, c1 = c + ldc, c2 = c + 2 * ldc, c3 = c + 3 * ldc;
        int j = 0;
        // Every C entry is one FMA chain over p in order, whatever the vector width, so the 512-bit
        // blocks give the same bits as the 256-bit ones with half the loads and broadcasts.
        if (Vector512.IsHardwareAccelerated)
        {
            for (; j + 32 <= n; j += 32)
            {
                Vector512<float> s00, s01, s10, s11, s20, s21, s30, s31;
                if (accumulate)
                {
                    s00 = Vector512.Load(c0 + j); s01 = Vector512.Load(c0 + j + 16);
                    s10 = Vector512.Load(c1 + j); s11 = Vector512.Load(c1 + j + 16);
                    s20 = Vector512.Load(c2 + j); s21 = Vector512.Load(c2 + j + 16);
                    s30 = Vector512.Load(c3 + j); s31 = Vector512.Load(c3 + j + 16);
                }
                else s00 = s01 = s10 = s11 = s20 = s21 = s30 = s31 = Vector512<float>.Zero;
                float* bp = b + j;
                for (int p = 0, pa = 0; p < k; p++, pa += aCol, bp += ldb)
                {
                    var b0 = Vector512.Load(bp);
                    var b1 = Vector512.Load(bp + 16);
                    var x = Vector512.Create(a0[pa]);
                    s00 = Vector512.FusedMultiplyAdd(x, b0, s00); s01 = Vector512.FusedMultiplyAdd(x, b1, s01);
                    x = Vector512.Create(a1[pa]);
                    s10 = Vector512.FusedMultiplyAdd(x, b0, s10); s11 = Vector512.FusedMultiplyAdd(x, b1, s11);
                    x = Vector512.Create(a2[pa]);
                    s20 = Vector512.FusedMultiplyAdd(x, b0, s20); s21 = Vector512.FusedMultiplyAdd(x, b1, s21);
                    x = Vector512.Create(a3[pa]);
                    s30 = Vector512.FusedMultiplyAdd(x, b0, s30); s31 = Vector512.FusedMultiplyAdd(x, b1, s31);
                }
                s00.Store(c0 + j); s01.Store(c0 + j + 16);
                s10.Store(c1 + j); s11.Store(c1 + j + 16);
                s20.Store(c2 + j); s21.Store(c2 + j + 16);
                s30.Store(c3 + j); s31.Store(c3 + j + 16);
            }
        }
        for (; j + 16 <= n; j += 16)
        {
            Vector256<float> s00, s01, s10, s11, s20, s21, s30, s31;
            if (accumulate)
            {
                s00 = Vector256.Load(c0 + j); s01 = Vector256.Load(c0 + j + 8);
                s10 = Vector256.Load(c1 + j); s11 = Vector256.Load(c1 + j + 8);
                s20 = Vector256.Load(c2 + j); s21 = Vector256.Load(c2 + j + 8);
                s30 = Vector256.Load(c3 + j); s31 = Vector256.Load(c3 + j + 8);
            }
            else s00 = s01 = s10 = s11 = s20 = s21 = s30 = s31 = Vector256<float>.Zero;
            float* bp = b + j;
            for (int p = 0, pa = 0; p < k; p++, pa += aCol, bp += ldb)
            {
                var b0 = Vector256.Load(bp);
                var b1 = Vector256.Load(bp + 8);
                var x = Vector256.Create(a0[pa]);
                s00 = Vector256.FusedMultiplyAdd(x, b0, s00); s01 = Vector256.FusedMultiplyAdd(x, b1, s01);
                x = Vector256.Create(a1[pa]);
                s10 = Vector256.FusedMultiplyAdd(x, b0, s10); s11 = Vector256.FusedMultiplyAdd(x, b1, s11);
                x = Vector256.Create(a2[pa]);
                s20 = Vector256.FusedMultiplyAdd(x, b0, s20); s21 = Vector256.FusedMultiplyAdd(x, b1, s21);
                x = Vector256.Create(a3[pa]);
                s30 = Vector256.FusedMultiplyAdd(x, b0, s30); s31 = Vector256.FusedMultiplyAdd(x, b1, s31);
            }
            s00.Store(c0 + j); s01.Store(c0 + j + 8);
            s10.Store(c1 + j); s11.Store(c1 + j + 8);
            s20.Store(c2 + j); s21.Store(c2 + j + 8);
            s30.Store(c3 + j); s31.Store(c3 + j + 8);
        }
        for (; j + 8 <= n; j += 8)
        {
            Vector256<float> s0, s1, s2, s3;
            if (accumulate)
            {
                s0 = Vector256.Load(c0 + j); s1 = Vector256.Load(c1 + j);
                s2 = Vector256.Load(c2 + j); s3 = Vector256.Load(c3 + j);
            }
            else s0 = s1 = s2 = s3 = Vector256<float>.Zero;
            float* bp = b + j;
            for (int p = 0, pa = 0; p < k; p++, pa += aCol, bp += ldb)
            {
                var b0 = Vector256.Load(bp);
                s0 = Vector256.FusedMultiplyAdd(Vector256.Create(a0[pa]), b0, s0);
                s1 = Vector256.FusedMultiplyAdd(Vector256.Create(a1[pa]), b0, s1);
                s2 = Vector256.FusedMultiplyAdd(Vector256.Create(a2[pa]), b0, s2);
                s3 = Vector256.FusedMultiplyAdd(Vector256.Create(a3[pa]), b0, s3);
            }
            s0.Store(c0 + j); s1.Store(c1 + j); s2.Store(c2 + j); s3.Store(c3 + j);
        }
        for (; j < n; j++)
        {
            ScalarTail(k, a0, aCol, b + j, ldb, c0 + j, accumulate);
            ScalarTail(k, a1, aCol, b + j, ldb, c1 + j, accumulate);
            ScalarTail(k, a2, aCol, b + j, ldb, c2 + j, accumulate);
            ScalarTail(k, a3, aCol, b + j, ldb, c3 + j, accumulate);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]

    private static void OneRow(int n, int k, float* a, int aCol, float* b, int ldb, float* c, bool accumulate)
    {
        int j = 0;
        for (; j + 16 <= n; j += 16)
        {
            var s0 = accumulate ? Vector256.Load(c + j) : Vector256<float>.Zero;
            var s1 = accumulate ? Vector256.Load(c + j + 8) : Vector256<float>.Zero;
            float* bp = b + j;
            for (int p = 0, pa = 0; p < k; p++, pa += aCol, bp += ldb)
            {
                var x = Vector256.Create(a[pa]);
                s0 = Vector256.FusedMultiplyAdd(x, Vector256.Load(bp), s0);
                s1 = Vector256.FusedMultiplyAdd(x, Vector256.Load(bp + 8), s1);
            }
            s0.Store(c + j); s1.Store(c + j + 8);
        }
        for (; j + 8 <= n; j += 8)
        {
            var s0 = accumulate ? Vector256.Load(c + j) : Vector256<float>.Zero;
            float* bp = b + j;
            for (int p = 0, pa = 0; p < k; p++, pa += aCol, bp += ldb)
                s0 = Vector256.FusedMultiplyAdd(Vector256.Create(a[pa]), Vector256.Load(bp), s0);
            s0.Store(c + j);
        }
        for (; j < n; j++) ScalarTail(k, a, aCol, b + j, ldb, c + j, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ScalarTail(int k, float* a, int aCol, float* b, int ldb, float* c, bool accumulate)
    {
        float s = accumulate ? *c : 0f;
        for (int p = 0; p < k; p++) s = MathF.FusedMultiplyAdd(a[p * aCol], b[p * ldb], s);
        *c = s;
    }

    /// <summary>
    /// C[i·ldc + j] (+)= Σ_l A[i·lda + l] · B[j·ldb + l]: dot products of rows, for reductions over a
    /// long dimension (weight gradients summed over all output pixels).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void DotRows(int m, int n, int len, float* a, int lda, float* b, int ldb, float* c, int ldc, bool accumulate)
    {
        int i = 0;
        for (; i + 2 <= m; i += 2)
        {
            int j = 0;
            for (; j + 4 <= n; j += 4) Dot2x4(len, a + i * lda, lda, b + j * ldb, ldb, c + i * ldc + j, ldc, accumulate);
            for (; j < n; j++)
            {
                Dot1(len, a + i * lda, b + j * ldb, c + i * ldc + j, accumulate);
                Dot1(len, a + (i + 1) * lda, b + j * ldb, c + (i + 1) * ldc + j, accumulate);
            }
        }
        for (; i < m; i++)
            for (int j = 0; j < n; j++) Dot1(len, a + i * lda, b + j * ldb, c + i * ldc + j, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]

    private static void Dot2x4(int len, float* a0, int lda, float* b0, int ldb, float* c, int ldc, bool accumulate)
    {
        float* a1 = a0 + lda;
        float* b1 = b0 + ldb, b2 = b0 + 2 * ldb, b3 = b0 + 3 * ldb;
        Vector256<float> s00 = default, s01 = default, s02 = default, s03 = default;
        Vector256<float> s10 = default, s11 = default, s12 = default, s13 = default;
        int l = 0;
        for (; l + 8 <= len; l += 8)
        {
            var x0 = Vector256.Load(a0 + l);
            var x1 = Vector256.Load(a1 + l);
            var y = Vector256.Load(b0 + l);
            s00 = Vector256.FusedMultiplyAdd(x0, y, s00); s10 = Vector256.FusedMultiplyAdd(x1, y, s10);
            y = Vector256.Load(b1 + l);
            s01 = Vector256.FusedMultiplyAdd(x0, y, s01); s11 = Vector256.FusedMultiplyAdd(x1, y, s11);
            y = Vector256.Load(b2 + l);
            s02 = Vector256.FusedMultiplyAdd(x0, y, s02); s12 = Vector256.FusedMultiplyAdd(x1, y, s12);
            y = Vector256.Load(b3 + l);
            s03 = Vector256.FusedMultiplyAdd(x0, y, s03); s13 = Vector256.FusedMultiplyAdd(x1, y, s13);
        }
        float t00 = Vector256.Sum(s00), t01 = Vector256.Sum(s01), t02 = Vector256.Sum(s02), t03 = Vector256.Sum(s03);
        float t10 = Vector256.Sum(s10), t11 = Vector256.Sum(s11), t12 = Vector256.Sum(s12), t13 = Vector256.Sum(s13);
        for (; l < len; l++)
        {
            float x0 = a0[l], x1 = a1[l];
            t00 += x0 * b0[l]; t01 += x0 * b1[l]; t02 += x0 * b2[l]; t03 += x0 * b3[l];
            t10 += x1 * b0[l]; t11 += x1 * b1[l]; t12 += x1 * b2[l]; t13 += x1 * b3[l];
        }
        float* c1 = c + ldc;
        if (accumulate)
        {
            c[0] += t00; c[1] += t01; c[2] += t02; c[3] += t03;
            c1[0] += t10; c1[1] += t11; c1[2] += t12; c1[3] += t13;
        }
        else
        {
            c[0] = t00; c[1] = t01; c[2] = t02; c[3] = t03;
            c1[0] = t10; c1[1] = t11; c1[2] = t12; c1[3] = t13;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]

    private static void Dot1(int len, float* a, float* b, float* c, bool accumulate)
    {
        var s = Vector256<float>.Zero;
        int l = 0;
        for (; l + 8 <= len; l += 8) s = Vector256.FusedMultiplyAdd(Vector256.Load(a + l), Vector256.Load(b + l), s);
        float t = Vector256.Sum(s);
        for (; l < len; l++) t += a[l] * b[l];
        if (accumulate) *c += t; else *c = t;
    }
}
