#Requires -Version 5.1
<#
.SYNOPSIS
    Starts or stops an ETW capture of the Connsec.Driver provider, and prints the decoded events.

.DESCRIPTION
    Provider: Connsec.Driver, GUID d0cc7703-58db-567c-a55d-17c9b47e8af7 (the TraceLogging name
    hash of the name; tools also accept *Connsec.Driver).

    -Start   begins a file capture (session "connsec") with logman (inbox), tracelog (WDK; with
             -ToDebugger the events also go to an attached kernel debugger) or wpr (profile
             scripts\etw\connsec.wprp).
    -Stop    ends it and prints the decoded events.
    -Show    decodes an existing .etl: tracefmt when the WDK is installed, else the inbox
             tracerpt. Get-WinEvent -Path x.etl does not decode TraceLogging fields.
    -Seconds captures for N seconds (start, wait, stop, show).

    WPA: open the .etl with `wpa <file>.etl`; the Generic Events table shows the fields.

    Exit code 0 on success, 1 on failure, 2 when -Show found no connsec events.

.PARAMETER Tool
    logman (default), tracelog or wpr.

.PARAMETER EtlPath
    Output file for -Start/-Seconds (default %ProgramData%\connsec-kit\connsec-<time>.etl), or
    the file to decode for -Show.

.PARAMETER PreferTracerpt
    Decode with tracerpt even when tracefmt is available.

.EXAMPLE
    .\Trace-Connsec.ps1 -Start; sc.exe stop connsec; sc.exe start connsec; .\Trace-Connsec.ps1 -Stop

.EXAMPLE
    .\Trace-Connsec.ps1 -Seconds 30 -Tool wpr

.EXAMPLE
    .\Trace-Connsec.ps1 -Show C:\ProgramData\connsec-kit\connsec-20260101-120000.etl
#>
[CmdletBinding(SupportsShouldProcess = $true, DefaultParameterSetName = 'Start')]
param(
    [Parameter(ParameterSetName = 'Start', Mandatory = $true)][switch]$Start,
    [Parameter(ParameterSetName = 'Stop', Mandatory = $true)][switch]$Stop,
    [Parameter(ParameterSetName = 'Show', Mandatory = $true)][string]$Show,
    [Parameter(ParameterSetName = 'Timed', Mandatory = $true)][ValidateRange(1, 86400)][int]$Seconds,
    [Parameter(ParameterSetName = 'Start')][Parameter(ParameterSetName = 'Timed')]
    [ValidateSet('logman', 'tracelog', 'wpr')][string]$Tool = 'logman',
    [Parameter(ParameterSetName = 'Start')][Parameter(ParameterSetName = 'Timed')][string]$EtlPath,
    [Parameter(ParameterSetName = 'Start')][Parameter(ParameterSetName = 'Timed')][switch]$ToDebugger,
    [switch]$PreferTracerpt
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'ConnsecCommon.ps1')

try {
    switch ($PSCmdlet.ParameterSetName) {
        'Show' {
            $count = Show-ConnsecTrace -EtlPath $Show -PreferTracerpt:$PreferTracerpt
            if ($count -eq 0) { exit 2 }
            exit 0
        }
        'Start' {
            Assert-ConnsecAdministrator
            if ($PSCmdlet.ShouldProcess("ETW session '$($script:ConnsecTraceSession)'", "Start capturing $($script:ConnsecProviderName) with $Tool")) {
                $null = Start-ConnsecTrace -Tool $Tool -EtlPath $EtlPath -ToDebugger:$ToDebugger
                Write-Host 'Stop with: .\Trace-Connsec.ps1 -Stop'
            }
            exit 0
        }
        'Stop' {
            Assert-ConnsecAdministrator
            if ($PSCmdlet.ShouldProcess("ETW session '$($script:ConnsecTraceSession)'", 'Stop the capture and decode it')) {
                $etl = Stop-ConnsecTrace
                $null = Show-ConnsecTrace -EtlPath $etl -PreferTracerpt:$PreferTracerpt
            }
            exit 0
        }
        'Timed' {
            Assert-ConnsecAdministrator
            if ($PSCmdlet.ShouldProcess("ETW session '$($script:ConnsecTraceSession)'", "Capture $($script:ConnsecProviderName) for $Seconds s with $Tool")) {
                $null = Start-ConnsecTrace -Tool $Tool -EtlPath $EtlPath -ToDebugger:$ToDebugger
                try {
                    Write-Host "Capturing for $Seconds s..."
                    Start-Sleep -Seconds $Seconds
                } finally {
                    $etl = Stop-ConnsecTrace
                }
                $null = Show-ConnsecTrace -EtlPath $etl -PreferTracerpt:$PreferTracerpt
            }
            exit 0
        }
    }
} catch {
    Write-Error -Message "Trace-Connsec failed: $($_.Exception.Message)" -ErrorAction Continue
    exit 1
}
