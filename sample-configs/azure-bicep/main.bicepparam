using './main.bicep'

param dataLocation = 'Europe'
param journalRegions = [
  'westeurope'
  'eastus2'
]
