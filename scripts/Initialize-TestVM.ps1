#Requires -Version 5.1
<#
.SYNOPSIS
    Prepares a Windows test VM for connsec: test signing, network kernel debugging, Driver
    Verifier on connsec.sys, debug print output. Run once, elevated, inside the VM; then reboot.

.DESCRIPTION
    1. Checks the OS and the kernel-mode driver framework: Windows 10 2004 (build 19041) or later,
       because connsec.sys allocates with ExAllocatePool2, which exists from 2004 on; and KMDF 1.31
       or later, the minimum connsec.sys is built for (Windows 10 2004 to 22H2 ship 1.31, Windows 11
       and Server 2022 ship 1.33). The KMDF version is read from the file version of
       %SystemRoot%\System32\drivers\Wdf01000.sys.
    2. Checks Secure Boot: it must be off, because test-signed drivers do not load with it
       (Hyper-V host: Set-VMFirmware -VMName <vm> -EnableSecureBoot Off).
    3. Suspends BitLocker on the system drive for one reboot (bcdedit changes would otherwise
       trigger recovery).
    4. bcdedit /set testsigning on.
    5. bcdedit /debug on and bcdedit /dbgsettings net hostip:<HostIp> port:<Port> with -Key or a
       new key, then prints the key and the host command line. With -KdnetPath, runs Microsoft's
       kdnet.exe instead, which also prints the key.
    6. Sets "Debug Print Filter" DEFAULT = 0xF so DbgPrint output (wdk::println!) reaches the
       debugger without `ed nt!Kd_DEFAULT_Mask` after every boot.
    7. verifier /standard /driver connsec.sys.
    8. Tells you to reboot (or reboots with -Restart).

    Every change supports -WhatIf and -Confirm. Exit code 0 on success, 1 on failure.

.PARAMETER HostIp
    IPv4 address of the debugger host as seen from the VM (the host's address on the VM's
    External virtual switch). The Hyper-V "Default Switch" works too, but its subnet changes when
    the host reboots: run this script again with the new address after each host reboot.
    Required unless -NoDebugger.

.PARAMETER Port
    UDP port the host debugger listens on, 49152-65535. Default 50000.

.PARAMETER Key
    Connection key "w.x.y.z" (four words of 0-9 and a-z). Default: bcdedit generates a new key.

.PARAMETER BusParams
    Bus.Device.Function of the debug NIC when KDNET picks the wrong one.

.PARAMETER KdnetPath
    Path to kdnet.exe (from "Windows Kits\10\Debuggers\x64" on the host). When given, kdnet.exe
    configures debugging instead of bcdedit /dbgsettings.

.PARAMETER NoDebugger
    Skip kernel-debugging setup.

.PARAMETER NoVerifier
    Skip Driver Verifier.

.PARAMETER Restart
    Reboot at the end (add -Confirm to be asked first).

.EXAMPLE
    .\Initialize-TestVM.ps1 -HostIp 172.20.16.1 -WhatIf
    Shows what would change.

.EXAMPLE
    .\Initialize-TestVM.ps1 -HostIp 172.20.16.1 -Port 50000 -Restart
    Prepares the VM, prints the key for `windbgx -k net:port=50000,key=<key>` and reboots.
#>
[CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
param(
    [string]$HostIp,
    [ValidateRange(49152, 65535)][int]$Port = 50000,
    [ValidatePattern('^[0-9a-z]+\.[0-9a-z]+\.[0-9a-z]+\.[0-9a-z]+$')][string]$Key,
    [ValidatePattern('^\d+\.\d+\.\d+$')][string]$BusParams,
    [string]$KdnetPath,
    [switch]$NoDebugger,
    [switch]$NoVerifier,
    [switch]$Restart
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'ConnsecCommon.ps1')

function Get-BcdCurrent {
    # Element names in bcdedit /enum output are not localized.
    return (Invoke-ConnsecNative -FilePath 'bcdedit.exe' -ArgumentList @('/enum', '{current}')) -join "`n"
}

try {
    Assert-ConnsecAdministrator
    if (-not $NoDebugger) {
        if ([string]::IsNullOrEmpty($HostIp)) { throw '-HostIp <debugger host IPv4 address> is required (or pass -NoDebugger).' }
        $parsed = $null
        if (-not [Net.IPAddress]::TryParse($HostIp, [ref]$parsed) -or $parsed.AddressFamily -ne [Net.Sockets.AddressFamily]::InterNetwork) {
            throw "-HostIp '$HostIp' is not an IPv4 address (KDNET needs IPv4)."
        }
    }

    Write-ConnsecStep 'Operating system'
    $build = [Environment]::OSVersion.Version.Build
    Write-Host "Windows build $build"
    if ($build -lt 19041) { throw "Windows build $build is older than 19041 (2004): connsec.sys imports ExAllocatePool2, which older kernels do not export." }
    # [unverified] Wdf01000.sys carries the KMDF version as its file version's major.minor.
    $wdf = Join-Path $env:SystemRoot 'System32\drivers\Wdf01000.sys'
    if (-not (Test-Path -LiteralPath $wdf)) { throw "$wdf is missing: KMDF is not installed." }
    $wdfVersion = (Get-Item -LiteralPath $wdf).VersionInfo
    Write-Host "KMDF (Wdf01000.sys) $($wdfVersion.FileMajorPart).$($wdfVersion.FileMinorPart) ($($wdfVersion.FileVersion))"
    if ($wdfVersion.FileMajorPart -eq 1 -and $wdfVersion.FileMinorPart -lt 31) {
        throw "KMDF $($wdfVersion.FileMajorPart).$($wdfVersion.FileMinorPart) is older than 1.31, the minimum connsec.sys is built for."
    }
    if ($wdfVersion.FileMajorPart -eq 1 -and $wdfVersion.FileMinorPart -lt 33) {
        Write-Host 'KMDF 1.31: connsec.sys targets 1.33 and declares 1.31 as its minimum. If it does not start (a Wdf01000 event in the System log), see docs/open-questions.md, "Build".'
    }

    Write-ConnsecStep 'Secure Boot'
    $secureBoot = $false
    try {
        $secureBoot = [bool](Confirm-SecureBootUEFI)
    } catch [System.PlatformNotSupportedException] {
        Write-Host 'Legacy BIOS firmware: no Secure Boot.'
    } catch {
        # "Cmdlet not supported on this platform" (BIOS) arrives as a generic error on 5.1.
        Write-Host "Secure Boot state not readable ($($_.Exception.Message)); assuming off."
    }
    if ($secureBoot) {
        throw 'Secure Boot is ON: test-signed drivers will not load. Turn it off in the VM firmware (Hyper-V host: Set-VMFirmware -VMName <vm> -EnableSecureBoot Off), then run this script again.'
    }
    Write-Host 'Secure Boot is off.'

    Write-ConnsecStep 'BitLocker'
    $bitlocker = Get-Command -Name 'Get-BitLockerVolume' -ErrorAction SilentlyContinue
    if ($null -eq $bitlocker) {
        Write-Host 'BitLocker cmdlets not present: nothing to suspend.'
    } else {
        $volume = Get-BitLockerVolume -MountPoint $env:SystemDrive -ErrorAction SilentlyContinue
        if ($null -ne $volume -and "$($volume.ProtectionStatus)" -eq 'On') {
            if ($PSCmdlet.ShouldProcess($env:SystemDrive, 'Suspend BitLocker for one reboot')) {
                [void](Suspend-BitLocker -MountPoint $env:SystemDrive -RebootCount 1)
                Write-Host "BitLocker suspended on $env:SystemDrive for one reboot."
            }
        } else {
            Write-Host "BitLocker protection is off on $env:SystemDrive."
        }
    }

    Write-ConnsecStep 'Test signing'
    if ((Get-BcdCurrent) -match '(?m)^testsigning\s+Yes') {
        Write-Host 'Test signing is already on.'
    } elseif ($PSCmdlet.ShouldProcess('boot configuration {current}', 'bcdedit /set testsigning on')) {
        [void](Invoke-ConnsecNative -FilePath 'bcdedit.exe' -ArgumentList @('/set', 'testsigning', 'on'))
        Write-Host 'Test signing turned on (effective after reboot).'
    }

    $printedKey = $null
    if (-not $NoDebugger) {
        Write-ConnsecStep "Kernel debugging over the network to ${HostIp}:$Port"
        if (-not [string]::IsNullOrEmpty($KdnetPath)) {
            if (-not (Test-Path -LiteralPath $KdnetPath -PathType Leaf)) { throw "kdnet.exe not found at '$KdnetPath'." }
            if ($PSCmdlet.ShouldProcess('boot configuration', "kdnet.exe $HostIp $Port")) {
                # kdnet checks the NIC, writes the dbgsettings and prints the key itself.
                $out = Invoke-ConnsecNative -FilePath $KdnetPath -ArgumentList @($HostIp, "$Port")
                $out | ForEach-Object { Write-Host $_ }
                $m = [regex]::Match(($out -join "`n"), '(?im)key\s*[=:]?\s*([0-9a-z]+\.[0-9a-z]+\.[0-9a-z]+\.[0-9a-z]+)')
                if ($m.Success) { $printedKey = $m.Groups[1].Value }
            }
        } else {
            if ($PSCmdlet.ShouldProcess('boot configuration {current}', 'bcdedit /debug on')) {
                [void](Invoke-ConnsecNative -FilePath 'bcdedit.exe' -ArgumentList @('/debug', 'on'))
            }
            $keyArg = if ([string]::IsNullOrEmpty($Key)) { 'newkey' } else { "key:$Key" }
            # The colons are part of the syntax: hostip:<ip> port:<port> key:<key>.
            if ($PSCmdlet.ShouldProcess('boot configuration {dbgsettings}', "bcdedit /dbgsettings net hostip:$HostIp port:$Port $keyArg")) {
                $out = Invoke-ConnsecNative -FilePath 'bcdedit.exe' -ArgumentList @('/dbgsettings', 'net', "hostip:$HostIp", "port:$Port", $keyArg)
                $out | ForEach-Object { Write-Host $_ }
                if (-not [string]::IsNullOrEmpty($BusParams)) {
                    [void](Invoke-ConnsecNative -FilePath 'bcdedit.exe' -ArgumentList @('/set', '{dbgsettings}', 'busparams', $BusParams))
                }
                # newkey prints "Key=..."; /dbgsettings without arguments lists "key  ...".
                $all = ($out + (Invoke-ConnsecNative -FilePath 'bcdedit.exe' -ArgumentList @('/dbgsettings'))) -join "`n"
                $m = [regex]::Match($all, '(?im)^\s*key\s*[=\s]\s*([0-9a-z]+\.[0-9a-z]+\.[0-9a-z]+\.[0-9a-z]+)\s*$')
                if ($m.Success) { $printedKey = $m.Groups[1].Value } elseif (-not [string]::IsNullOrEmpty($Key)) { $printedKey = $Key }
            }
        }
        if ($null -ne $printedKey) {
            Write-Host ''
            Write-Host "Debugger key: $printedKey" -ForegroundColor Yellow
            Write-Host "On the host:  windbgx -k net:port=$Port,key=$printedKey   (WinDbg from winget; the WDK's classic windbg.exe takes the same arguments)" -ForegroundColor Yellow
        } elseif (-not $WhatIfPreference) {
            Write-Warning "Could not read the key back; run 'bcdedit /dbgsettings' and copy the 'key' line."
        }
    }

    Write-ConnsecStep 'Debug print filter'
    $filterKey = 'HKLM:\SYSTEM\CurrentControlSet\Control\Session Manager\Debug Print Filter'
    if ($PSCmdlet.ShouldProcess("$filterKey\DEFAULT", 'Set to 0xF (show DbgPrint output)')) {
        if (-not (Test-Path -LiteralPath $filterKey)) { [void](New-Item -Path $filterKey -Force) }
        [void](New-ItemProperty -LiteralPath $filterKey -Name 'DEFAULT' -PropertyType DWord -Value 0xF -Force)
        Write-Host 'DbgPrint output enabled from the next boot (live: ed nt!Kd_DEFAULT_Mask 0xFFFFFFFF in WinDbg).'
    }

    if (-not $NoVerifier) {
        Write-ConnsecStep "Driver Verifier on $($script:ConnsecDriverFile)"
        if ($PSCmdlet.ShouldProcess($script:ConnsecDriverFile, 'verifier /standard /driver')) {
            # verifier exits 2 when the settings changed and need a reboot.
            $out = Invoke-ConnsecNative -FilePath 'verifier.exe' -ArgumentList @('/standard', '/driver', $script:ConnsecDriverFile) -AllowedExitCodes @(0, 2)
            $out | ForEach-Object { Write-Host $_ }
        }
    }

    Write-ConnsecStep 'Done'
    Write-Host 'Reboot the VM for test signing, debugging and Driver Verifier to take effect.'
    Write-Host 'After the reboot: attach the host debugger, then run Install-Connsec.ps1.'
    if ($Restart -and $PSCmdlet.ShouldProcess($env:COMPUTERNAME, 'Restart-Computer')) {
        Restart-Computer -Force
    }
    exit 0
} catch {
    Write-Error -Message "Initialize-TestVM failed: $($_.Exception.Message)" -ErrorAction Continue
    exit 1
}
