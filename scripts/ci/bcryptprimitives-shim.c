/*
 * The smallest bcryptprimitives.dll that lets a Rust program start under Wine 8.
 *
 * Why: Rust's standard library (1.78 and later) imports ProcessPrng from bcryptprimitives.dll
 * for its random numbers (HashMap seeds); Windows 10 and later ship that DLL, Wine 8 does not,
 * so the loader refuses the program before main. This shim exports ProcessPrng and forwards it
 * to RtlGenRandom, which advapi32 exports as SystemFunction036 (Wine implements it).
 *
 * ProcessPrng is documented to fill the buffer and always return TRUE; RtlGenRandom takes a
 * 32-bit length, so longer requests are split. Built by scripts/ci/wine-connsecctl.sh with
 * mingw-w64 gcc and placed next to connsecctl.exe; never shipped.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x7fffffffu ? 0x7fffffffu : (ULONG)length;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
