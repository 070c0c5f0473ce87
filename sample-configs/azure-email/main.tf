# Azure Communication Services email keeps its data at rest in the geography named by
# data_location; the ARM location is always "global".

provider "azurerm" {
  features {}
}

resource "azurerm_resource_group" "mail" {
  name     = "mail"
  location = "West Europe"
}

resource "azurerm_email_communication_service" "mail" {
  name                = "example-email"
  resource_group_name = azurerm_resource_group.mail.name
  data_location       = "Europe"
}

# Any resource tagged data-class = mailbox holds mail.
resource "azurerm_storage_account" "exports" {
  name                     = "examplemailexports"
  resource_group_name      = azurerm_resource_group.mail.name
  location                 = azurerm_resource_group.mail.location
  account_tier             = "Standard"
  account_replication_type = "LRS"
  tags = {
    data-class = "mailbox"
  }
}
